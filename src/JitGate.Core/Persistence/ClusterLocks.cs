using Npgsql;

namespace JitGate.Core.Persistence;

/// <summary>
/// PostgreSQL advisory locks for work that one replica at a time must do: held on a connection of
/// their own, so a replica that dies (even by kill -9) releases them as its connection drops. With
/// SQLite there is one process, and every lock is granted at once.
/// </summary>
public sealed class ClusterLocks(MetadataStore store)
{
    public const long Startup = 0x4A47_0001;
    public const long Background = 0x4A47_0002;

    private readonly NpgsqlDataSource? _dataSource = store.DataSource;

    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    public async Task<IAsyncDisposable> AcquireAsync(long key, CancellationToken ct)
    {
        if (_dataSource is null) return NoLock.Instance;
        var connection = await _dataSource.OpenConnectionAsync(ct);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { Parameters = { new() { Value = key } } })
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        return connection;
    }

    /// <summary>Takes the lock if it is free; null when another replica holds it.</summary>
    public async Task<NpgsqlConnection?> TryAcquireAsync(long key, CancellationToken ct)
    {
        if (_dataSource is null) return null;
        var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = key } } };
        if (await command.ExecuteScalarAsync(ct) is true) return connection;
        await connection.DisposeAsync();
        return null;
    }

    public bool Shared => _dataSource is not null;

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
