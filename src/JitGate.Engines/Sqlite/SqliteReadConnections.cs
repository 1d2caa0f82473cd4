using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Read-only connections to target files, kept open between queries: opening a file and parsing its
/// schema costs more than a small query. A kept connection is handed out again only while the file
/// looks unchanged (same size, modification and creation times), so a file replaced by another (the
/// sample generator swaps files atomically) is read afresh. Each connection keeps the settings it was
/// opened with (read-only, query_only, defensive, no extensions, no ATTACH); the runner sets the
/// per-query authorizer and progress handler and removes them before handing it back.
/// </summary>
internal static class SqliteReadConnections
{
    private const int MaxIdlePerFile = 8;
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<Lease>> Idle = new(StringComparer.Ordinal);

    /// <summary>A kept connection when one matches the file as it is now, otherwise a new one.</summary>
    /// <exception cref="SqliteEngineException">The file is missing or is not a readable SQLite database.</exception>
    public static Lease Rent(string path)
    {
        var stamp = Stamp(path);
        if (Idle.TryGetValue(path, out var queue))
        {
            while (queue.TryDequeue(out var kept))
            {
                if (kept.FileStamp == stamp) return kept;
                kept.Close();
            }
        }

        return new Lease(path, SqliteFiles.OpenReadOnly(path), stamp, IsNew: true);
    }

    /// <summary>Keeps the connection for the next query, or closes it when it must not be reused.</summary>
    public static void Return(Lease lease, bool reusable)
    {
        var queue = Idle.GetOrAdd(lease.Path, _ => new ConcurrentQueue<Lease>());
        if (!reusable || queue.Count >= MaxIdlePerFile)
        {
            lease.Close();
            return;
        }

        queue.Enqueue(lease with { IsNew = false });
    }

    private static (long, long, long) Stamp(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new SqliteEngineException(
                $"The SQLite database file '{path}' does not exist. Check the database's connection settings.");
        }

        return (file.Length, file.LastWriteTimeUtc.Ticks, file.CreationTimeUtc.Ticks);
    }

    /// <summary>An open connection to one file; <see cref="IsNew"/> until it has served a query.</summary>
    public sealed record Lease(string Path, SqliteConnection Connection, (long, long, long) FileStamp, bool IsNew)
    {
        /// <summary>The file's schema as last read, with the schema version it was read at.</summary>
        public SqliteSchemaMap? Schema { get; set; }

        /// <summary>"PRAGMA schema_version", prepared once: it runs before every query on the connection.</summary>
        public sqlite3_stmt? SchemaVersionStatement { get; set; }

        public void Close()
        {
            SchemaVersionStatement?.Dispose();
            Connection.Dispose();
        }
    }
}
