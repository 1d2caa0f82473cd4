using System.Collections.Concurrent;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// When each failing audit sink is tried next: 2 s after the first failure, doubling up to a minute, on the app's
/// clock. Kept in memory: after a restart a down sink is simply tried at once.
/// </summary>
public sealed class AuditSinkBackoff
{
    private readonly ConcurrentDictionary<long, (int Failures, DateTimeOffset Next)> _failing = new();

    /// <summary>The longest pause between two tries of a sink that stays down.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(1);

    public bool IsDue(long sinkId, DateTimeOffset now) => !_failing.TryGetValue(sinkId, out var state) || state.Next <= now;

    public void Succeeded(long sinkId) => _failing.TryRemove(sinkId, out _);

    public void Failed(long sinkId, DateTimeOffset now) => _failing.AddOrUpdate(sinkId,
        _ => (1, now + Pause(1)),
        (_, state) => (state.Failures + 1, now + Pause(state.Failures + 1)));

    private static TimeSpan Pause(int failures) => TimeSpan.FromSeconds(Math.Min(MaxPause.TotalSeconds, Math.Pow(2, failures)));
}
