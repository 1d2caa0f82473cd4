using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace JitGate.Core.Persistence;

/// <summary>
/// Per-connection settings for the SQLite metadata store. In WAL mode, synchronous=NORMAL keeps the
/// database consistent across crashes and drops the fsync from every commit (a power cut can lose
/// the last commits, not corrupt the file), which is what lets every query write its audit record.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    // The settings belong to the native connection, which the driver's pool hands out again and
    // again; applying them once per native connection saves a statement on every open.
    private static readonly ConditionalWeakTable<sqlite3, object> Applied = [];
    private static readonly object Marker = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Applies the settings to an open connection unless its native connection already has them.</summary>
    public static void Apply(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Applied.TryGetValue(handle, out _)) return;
        using var command = connection.CreateCommand();
        // busy_timeout lets SQLite wait for the writer lock itself, in short steps; without it the
        // driver's own retry sleeps 150 ms at a time, which is what concurrent writers would see.
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
        command.ExecuteNonQuery();
        if (handle is not null) Applied.AddOrUpdate(handle, Marker);
    }
}
