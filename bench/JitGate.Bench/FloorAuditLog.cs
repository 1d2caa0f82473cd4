using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace JitGate.Bench;

/// <summary>
/// The audited floor's audit: one record per query committed to a SQLite file (WAL, synchronous=NORMAL)
/// before the answer, naively: one transaction per query, one query at a time under one lock, one
/// connection kept open. What an HTTP front that records before it answers costs at the least, without
/// grouping commits.
/// </summary>
internal sealed class FloorAuditLog : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;

    public FloorAuditLog(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using (var setup = _connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL, detail TEXT NOT NULL)
                """;
            setup.ExecuteNonQuery();
        }
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO audit (at, actor, action, resource, detail) VALUES ($at, $actor, 'query.execute', $resource, $detail)";
        _insert.Parameters.Add("$at", SqliteType.Text);
        _insert.Parameters.Add("$actor", SqliteType.Text);
        _insert.Parameters.Add("$resource", SqliteType.Text);
        _insert.Parameters.Add("$detail", SqliteType.Text);
    }

    /// <summary>Commits one record of <paramref name="statement"/> on <paramref name="database"/>; returns once it is committed.</summary>
    public async Task RecordAsync(string actor, string database, string statement, int rowCount, CancellationToken ct)
    {
        var detail = JsonSerializer.Serialize(new { statement, rowCount });
        await _lock.WaitAsync(ct);
        try
        {
            using var transaction = _connection.BeginTransaction();
            _insert.Transaction = transaction;
            _insert.Parameters["$at"].Value = DateTimeOffset.UtcNow.ToString("O");
            _insert.Parameters["$actor"].Value = actor;
            _insert.Parameters["$resource"].Value = "databases/" + database;
            _insert.Parameters["$detail"].Value = detail;
            _insert.ExecuteNonQuery();
            transaction.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
        _lock.Dispose();
    }
}
