using JitGate.Core.Features.Bindings;

namespace JitGate.Server.Jobs;

/// <summary>Every few seconds (on the app's TimeProvider), records bindings that ran out and stops their queries.</summary>
internal sealed class ExpiryJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ExpiryJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                while (await scope.ServiceProvider.GetRequiredService<RecordExpiries>().HandleAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Recording expired bindings failed; retrying on the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
