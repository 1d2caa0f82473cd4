using JitGate.Core.Persistence;
using Npgsql;

namespace JitGate.Server.Jobs;

/// <summary>
/// Background work (expiry, webhook delivery, reconciling) runs on one replica at a time: the one
/// holding a PostgreSQL advisory lock on a connection of its own. When that replica dies its
/// connection drops, the lock is released, and another replica takes it on its next tick.
/// With SQLite there is one process, and it always leads.
/// </summary>
internal sealed class JobLeadership(ClusterLocks locks, ILogger<JobLeadership> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _held;

    public async Task<bool> IsLeaderAsync(CancellationToken ct)
    {
        if (!locks.Shared) return true;
        await _gate.WaitAsync(ct);
        try
        {
            if (_held is not null)
            {
                try
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _held);
                    await ping.ExecuteScalarAsync(ct);
                    return true;
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                {
                    logger.LogWarning("Lost the background-work lock; trying to take it again");
                    await _held.DisposeAsync();
                    _held = null;
                }
            }
            _held = await locks.TryAcquireAsync(ClusterLocks.Background, ct);
            if (_held is not null) logger.LogInformation("This replica now runs the background work");
            return _held is not null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_held is not null) await _held.DisposeAsync();
        _gate.Dispose();
    }
}
