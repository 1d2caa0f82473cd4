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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await leadership.IsLeaderAsync(stoppingToken)) await RunOnceAsync(stoppingToken);
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
            await Task.Delay(Interval, clock, stoppingToken);
        }
    }
}
