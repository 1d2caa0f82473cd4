using System.Collections.Concurrent;

namespace JitGate.Core.Engines;

/// <summary>
/// Carries the sessions an engine ends because they kept JitGate waiting while access changed
/// (<see cref="EndedBlocker"/>) back to the change that caused it, which audits them. The change opens a
/// <see cref="Collector"/> around its engine calls; the engine reports from the same asynchronous flow, so
/// changes running at the same time never take each other's reports.
/// </summary>
public static class EndedBlockers
{
    private static readonly AsyncLocal<Collector?> Current = new();

    /// <summary>Starts collecting for the calls that follow in this flow, until the collector is disposed.</summary>
    public static Collector Collect()
    {
        var collector = new Collector(Current.Value);
        Current.Value = collector;
        return collector;
    }

    /// <summary>
    /// For engines: records a session just ended for the change in progress in this flow. Outside any collector
    /// (an engine called directly, as in the engine's own tests) it is not recorded.
    /// </summary>
    public static void Report(EndedBlocker ended) => Current.Value?.Add(ended);

    /// <summary>What one change collected; disposing hands anything not taken to the collector around it.</summary>
    public sealed class Collector : IDisposable
    {
        private readonly ConcurrentQueue<EndedBlocker> _ended = new();
        private readonly Collector? _outer;

        internal Collector(Collector? outer) => _outer = outer;

        internal void Add(EndedBlocker ended) => _ended.Enqueue(ended);

        /// <summary>Every session reported so far and not yet taken.</summary>
        public IReadOnlyList<EndedBlocker> Take()
        {
            var taken = new List<EndedBlocker>();
            while (_ended.TryDequeue(out var ended)) taken.Add(ended);
            return taken;
        }

        public void Dispose()
        {
            if (_outer is not null)
            {
                foreach (var ended in Take()) _outer.Add(ended);
            }
            Current.Value = _outer;
        }
    }
}
