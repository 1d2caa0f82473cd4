using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;

namespace JitGate.Bench;

/// <summary>The same query made with the database driver directly, for the direct and floor references.</summary>
internal static class DirectDriver
{
    /// <summary>
    /// Opens the file read-only from the driver's connection pool (JitGate's runner also keeps its
    /// connections to target files open), runs the statement and reads every value, up to
    /// <paramref name="maxRows"/> rows.
    /// </summary>
    public static FloorResult Sqlite(string path, string statement, int maxRows)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = statement;
        using var reader = command.ExecuteReader();
        var columns = new List<FloorColumn>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++) columns.Add(new FloorColumn(reader.GetName(i), reader.GetDataTypeName(i)));
        var rows = new List<object?[]>();
        var truncated = false;
        while (reader.Read())
        {
            if (rows.Count == maxRows)
            {
                truncated = true;
                break;
            }
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new FloorResult(columns, rows, rows.Count, truncated, 0);
    }

    /// <summary>The statement on a pooled PostgreSQL connection, every value read.</summary>
    public static async ValueTask<FloorResult> PostgresAsync(NpgsqlDataSource source, string statement, int maxRows, CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(statement, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = new List<FloorColumn>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++) columns.Add(new FloorColumn(reader.GetName(i), reader.GetDataTypeName(i)));
        var rows = new List<object?[]>();
        var truncated = false;
        while (await reader.ReadAsync(ct))
        {
            if (rows.Count == maxRows)
            {
                truncated = true;
                break;
            }
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new FloorResult(columns, rows, rows.Count, truncated, 0);
    }

    /// <summary>The statement on a pooled MySqlConnector connection (MySQL, MariaDB), every value read.</summary>
    public static async ValueTask<FloorResult> MySqlAsync(MySqlDataSource source, string statement, int maxRows, CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var command = new MySqlCommand(statement, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = new List<FloorColumn>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++) columns.Add(new FloorColumn(reader.GetName(i), reader.GetDataTypeName(i)));
        var rows = new List<object?[]>();
        var truncated = false;
        while (await reader.ReadAsync(ct))
        {
            if (rows.Count == maxRows)
            {
                truncated = true;
                break;
            }
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new FloorResult(columns, rows, rows.Count, truncated, 0);
    }
}
