using JitGate.Core.Features.Bindings;

namespace JitGate.Server.Jobs;

/// <summary>Every few seconds, records bindings that ran out (and those about to) and stops their queries.</summary>
internal sealed class ExpiryJob(IServiceScopeFactory scopes, JobLeadership leadership, TimeProvider clock, ILogger<ExpiryJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(5);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var record = scope.ServiceProvider.GetRequiredService<RecordExpiries>();
        while (await record.HandleAsync(ct) > 0) { }
    }
}
