using System.Globalization;
using Npgsql;

namespace JitGate.Core.Persistence;

/// <summary>
/// Tells replicas sharing a PostgreSQL metadata store that access-relevant state changed (bindings,
/// users, groups, databases, tokens). A change bumps a stamp in the database; caches compare the
/// stamp before they answer (one indexed read), so a revoke on one replica holds on every other
/// replica's next call, with no window to wait out. With SQLite there is one process and nothing to tell.
/// </summary>
public sealed class ChangeFeed(MetadataStore store)
{
    private const string Key = "changeStamp";
    private readonly NpgsqlDataSource? _dataSource = store.DataSource;

    public bool Shared => _dataSource is not null;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_dataSource is null) return;
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO settings (\"Key\", \"Value\") VALUES ('changeStamp', '0') ON CONFLICT (\"Key\") DO NOTHING");
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The current stamp; 0 when not shared.</summary>
    public async ValueTask<long> CurrentAsync(CancellationToken ct)
    {
        if (_dataSource is null) return 0;
        await using var command = _dataSource.CreateCommand($"SELECT \"Value\" FROM settings WHERE \"Key\" = '{Key}'");
        return await command.ExecuteScalarAsync(ct) is string v ? long.Parse(v, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Records a change that has committed. Synchronous on purpose: callers invalidate right after their commit.</summary>
    public void Bump()
    {
        if (_dataSource is null) return;
        using var command = _dataSource.CreateCommand(
            $"UPDATE settings SET \"Value\" = (CAST(\"Value\" AS bigint) + 1)::text WHERE \"Key\" = '{Key}'");
        command.ExecuteNonQuery();
    }

}
