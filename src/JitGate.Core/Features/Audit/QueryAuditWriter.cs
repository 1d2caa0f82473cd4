using System.Threading.Channels;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Group commit for query audit records. Every query is audited before its answer is sent, but the
/// metadata store takes one writer at a time: committing each record alone makes concurrent queries
/// queue on that lock. Callers hand their record here and wait; one writer commits whatever has
/// queued meanwhile in a single transaction and then releases all of them, so the guarantee
/// (recorded before answered) stays and the cost is shared.
/// </summary>
public sealed class QueryAuditWriter(IServiceScopeFactory scopes, ILogger<QueryAuditWriter> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    private readonly Channel<(AuditRecord Record, TaskCompletionSource Done)> _queue =
        Channel.CreateBounded<(AuditRecord, TaskCompletionSource)>(new BoundedChannelOptions(10_000) { SingleReader = true });

    /// <summary>Completes once the record is committed; throws if it could not be.</summary>
    public async Task WriteAsync(AuditRecord record, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((record, done), ct);
        await done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(AuditRecord Record, TaskCompletionSource Done)>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
                await CommitAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Whatever is still queued at shutdown is written, not dropped.
        while (_queue.Reader.TryRead(out var item)) batch.Add(item);
        if (batch.Count > 0) await CommitAsync(batch);
    }

    private async Task CommitAsync(List<(AuditRecord Record, TaskCompletionSource Done)> batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
            db.AuditRecords.AddRange(batch.Select(b => b.Record));
            await db.SaveChangesAsync(CancellationToken.None);
            foreach (var (_, done) in batch) done.TrySetResult();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Writing {Count} query audit records failed", batch.Count);
            foreach (var (_, done) in batch) done.TrySetException(e);
        }
    }
}
