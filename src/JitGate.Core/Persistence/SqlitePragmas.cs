using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace JitGate.Core.Persistence;

/// <summary>
/// Per-connection settings for the SQLite metadata store. In WAL mode, synchronous=NORMAL keeps the
/// database consistent across crashes and drops the fsync from every commit (a power cut can lose
/// the last commits, not corrupt the file), which is what lets every query write its audit record.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        // busy_timeout lets SQLite wait for the writer lock itself, in short steps; without it the
        // driver's own retry sleeps 150 ms at a time, which is what concurrent writers would see.
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
        command.ExecuteNonQuery();
    }
}
