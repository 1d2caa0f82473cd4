using JitGate.Core.Features.Audit;

namespace JitGate.Server.Jobs;

/// <summary>Every second, streams new audit records to the audit sinks (and retries those that are due).</summary>
internal sealed class AuditSinkJob(IServiceScopeFactory scopes, JobLeadership leadership, TimeProvider clock, ILogger<AuditSinkJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var streamer = scope.ServiceProvider.GetRequiredService<AuditStreamer>();
        // Catch up in batches, but give the other jobs' passes a turn now and then.
        for (var i = 0; i < 50 && await streamer.DeliverAsync(ct) > 0; i++) { }
    }
}
