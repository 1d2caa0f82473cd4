namespace JitGate.Server.Jobs;

/// <summary>
/// A background job that runs one pass at a time on the app's TimeProvider, only on the replica that
/// leads. One-shot delays rather than a PeriodicTimer: a clock that jumps ahead (a fake one in tests,
/// or a host waking from sleep) causes one catch-up pass, not one per missed period.
/// </summary>
internal abstract class LeaderJob(JobLeadership leadership, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected TimeProvider Clock => clock;

    /// <summary>One pass of the job's work.</summary>
    protected abstract Task RunOnceAsync(CancellationToken ct);

    /// <summary>
    /// When work falls due before the next tick (a job that knows its deadlines wakes at them); null to
    /// wait for the tick. Asked on the leader only, after each pass.
    /// </summary>
    protected virtual Task<DateTimeOffset?> DueBeforeNextTickAsync(CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = clock.GetUtcNow();
            DateTimeOffset? due = null;
            try
            {
                if (await leadership.IsLeaderAsync(stoppingToken))
                {
                    await RunOnceAsync(stoppingToken);
                    due = await DueBeforeNextTickAsync(stoppingToken);
                }
            }
            catch (JitGate.Core.Engines.EngineException e)
            {
                // A target that refuses (unreachable, a privilege the admin cannot revoke) is an operating
                // condition, already in the audit with what to do; the job goes on with the next pass.
                logger.LogWarning("{Job}: {Message}", GetType().Name, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Job} failed; retrying on the next tick", GetType().Name);
            }
            // A tick every Interval however long the pass took, or sooner when work falls due before it.
            var now = clock.GetUtcNow();
            var next = started + Interval;
            if (due is { } d && d < next) next = d;
            var wait = next - now;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, clock, stoppingToken);
        }
    }
}
