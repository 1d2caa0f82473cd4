using System.Collections.Concurrent;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Group commit for query audit records. Every query is audited before its answer is sent, but the
/// metadata store takes one writer at a time: committing each record alone makes concurrent queries
/// queue on that lock. Each caller queues its record; a caller that finds no write in progress
/// becomes the writer and commits everything queued so far in one transaction, on its own thread.
/// Callers that arrive meanwhile wait for their own record only, and are released together when the
/// batch holding it commits. Once the writer's own record is in, any work left is finished in the
/// background, so no caller keeps writing for others while its own answer waits.
/// </summary>
public sealed class QueryAuditWriter(IServiceScopeFactory scopes, MetadataStore store) : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly ConcurrentQueue<(AuditRecord Record, TaskCompletionSource Done)> _queue = new();
    private AuditRecordInserter? _inserter;
    private int _writing;

    /// <summary>Completes once the record is committed; throws if it could not be.</summary>
    /// <remarks>Not cancellable: a query that ran is recorded even when its client has gone away.</remarks>
    public async Task WriteAsync(AuditRecord record)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue((record, done));
        if (TryStartWriting())
        {
            while (!done.Task.IsCompleted) await CommitQueuedAsync();
            if (!StopWriting()) _ = Task.Run(DrainAsync);
        }
        await done.Task;
    }

    private bool TryStartWriting() => Interlocked.CompareExchange(ref _writing, 1, 0) == 0;

    /// <summary>Gives up the writer's turn; false when records are still queued and this caller still holds it.</summary>
    private bool StopWriting()
    {
        if (!_queue.IsEmpty) return false;
        Volatile.Write(ref _writing, 0);
        // A record queued just before the turn was given up would otherwise wait for the next caller.
        return _queue.IsEmpty || !TryStartWriting();
    }

    private async Task DrainAsync()
    {
        do
        {
            while (!_queue.IsEmpty) await CommitQueuedAsync();
        }
        while (!StopWriting());
    }

    private async Task CommitQueuedAsync()
    {
        var batch = new List<(AuditRecord Record, TaskCompletionSource Done)>();
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var item)) batch.Add(item);
        if (batch.Count == 0) return;
        try
        {
            if (_inserter is null)
            {
                await using var scope = scopes.CreateAsyncScope();
                _inserter = new AuditRecordInserter(store, scope.ServiceProvider.GetRequiredService<JitGateDb>().Model);
            }
            await _inserter.InsertAsync(batch.ConvertAll(b => b.Record), CancellationToken.None);
            foreach (var (_, done) in batch) done.TrySetResult();
        }
        catch (Exception e)
        {
            foreach (var (_, done) in batch) done.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Waits for a write in progress, then keeps the turn for good.
        while (!TryStartWriting()) await Task.Delay(10);
        while (!_queue.IsEmpty) await CommitQueuedAsync();
        if (_inserter is not null) await _inserter.DisposeAsync();
        _inserter = null;
    }
}
