using System.Globalization;
using System.Text;
using JitGate.Engines.Sqlite;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Creates MySQL and MariaDB databases with the shape of the employee sample, filled with the same
/// deterministic rows as the SQLite and PostgreSQL generators make for the same arguments.
/// </summary>
public static class MySqlSampleGenerator
{
    private const int RowsPerInsert = 1000;

    /// <summary>
    /// Creates <paramref name="database"/> if it is missing and fills it with <paramref name="employees"/>
    /// employees. Idempotent: when the database already has the sample's tables and views nothing is
    /// changed. DDL commits by itself on these engines, so the rows are loaded in one transaction between
    /// the tables and the views: a run that stopped midway leaves empty tables and no views, which the next
    /// run fills. Concurrent calls for the same database are serialised with a named lock.
    /// </summary>
    /// <param name="server">A login allowed to create the database and its tables and views (see the MySQL README).</param>
    /// <param name="database">The database to create and fill (at most 64 characters).</param>
    /// <param name="employees">Number of employees (0 or more); about 9 salary rows each.</param>
    /// <param name="seed">Seed of the pseudo-random generator.</param>
    /// <param name="ct">Cancels the work; the load then rolls back.</param>
    /// <exception cref="EngineException">The login may not create the database, or the database has only part of the sample.</exception>
    public static async Task CreateAsync(EngineServer server, string database, int employees, int seed = 42, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentOutOfRangeException.ThrowIfNegative(employees);
        if (database.Length > 64)
        {
            throw new ArgumentException($"Database name '{database}' is longer than the 64 characters MySQL allows.", nameof(database));
        }

        await using var connection = await MySqlConnections.OpenUnpooledAsync(server, null, ct);
        await using (var take = new MySqlCommand($"SELECT GET_LOCK({MySqlSql.Literal("jitgate_sample_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(database)))[..40])}, 120)", connection))
        {
            if (Convert.ToInt64(await take.ExecuteScalarAsync(ct) ?? 0L, CultureInfo.InvariantCulture) != 1)
            {
                throw new EngineException($"Another JitGate was still creating sample database '{database}' after 120 s.");
            }
        }

        try
        {
            await MySqlConnections.ExecuteAsync(connection, $"CREATE DATABASE IF NOT EXISTS {MySqlSql.Ident(database)} CHARACTER SET utf8mb4", ct);
            await connection.ChangeDatabaseAsync(database, ct);
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.SpecifiedAccessDeniedError)
        {
            throw new EngineException($"Login '{server.AdminUsername}' may not create or use database '{database}': {ex.Message}", ex);
        }

        var present = await PresentAsync(connection, database, ct);
        if (present.Count == MySqlSampleSchema.Tables.Length + MySqlSampleSchema.Views.Length)
        {
            return;
        }

        if (present.Count == 0)
        {
            foreach (var sql in MySqlSampleSchema.CreateTables)
            {
                await MySqlConnections.ExecuteAsync(connection, sql, ct);
            }
        }
        else if (!present.SetEquals(MySqlSampleSchema.Tables) || !await AllEmptyAsync(connection, ct))
        {
            throw new EngineException(
                $"Database '{database}' already has {string.Join(", ", present.Order(StringComparer.Ordinal))} but not the whole sample; "
                + "it is not a generated sample, so it was left unchanged.");
        }

        await LoadAsync(connection, employees, seed, ct);
        foreach (var sql in MySqlSampleSchema.CreateViews)
        {
            await MySqlConnections.ExecuteAsync(connection, sql, ct);
        }
    }

    private static async Task<HashSet<string>> PresentAsync(MySqlConnection connection, string database, CancellationToken ct)
    {
        var names = await MySqlCatalog.TableNamesAsync(connection, database, ct);
        return names.Where(n => MySqlSampleSchema.Tables.Contains(n, StringComparer.Ordinal) || MySqlSampleSchema.Views.Contains(n, StringComparer.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<bool> AllEmptyAsync(MySqlConnection connection, CancellationToken ct)
    {
        await using var command = new MySqlCommand(
            "SELECT " + string.Join(" + ", MySqlSampleSchema.Tables.Select(t => $"(SELECT COUNT(*) FROM {MySqlSql.Ident(t)})")), connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) == 0;
    }

    /// <summary>Multi-row INSERTs per table, in one transaction, with key checks deferred to the end of the load.</summary>
    private static async Task LoadAsync(MySqlConnection connection, int employees, int seed, CancellationToken ct)
    {
        await MySqlConnections.ExecuteAsync(connection, "SET SESSION foreign_key_checks = 0, SESSION unique_checks = 0", ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var pending = new Dictionary<SampleTable, StringBuilder>();
        var counts = new Dictionary<SampleTable, int>();
        foreach (var row in SampleRows.Enumerate(employees, seed))
        {
            if (!pending.TryGetValue(row.Table, out var sql))
            {
                pending[row.Table] = sql = new StringBuilder(MySqlSampleSchema.InsertInto(row.Table));
                counts[row.Table] = 0;
            }
            else
            {
                sql.Append(',');
            }

            sql.Append(Values(row));
            if (++counts[row.Table] == RowsPerInsert)
            {
                await Flush(connection, transaction, pending, counts, row.Table, ct);
            }
        }

        foreach (var table in pending.Keys.ToList())
        {
            await Flush(connection, transaction, pending, counts, table, ct);
        }

        await transaction.CommitAsync(ct);
        await MySqlConnections.ExecuteAsync(connection, "SET SESSION foreign_key_checks = 1, SESSION unique_checks = 1", ct);
    }

    private static async Task Flush(
        MySqlConnection connection, MySqlTransaction transaction, Dictionary<SampleTable, StringBuilder> pending,
        Dictionary<SampleTable, int> counts, SampleTable table, CancellationToken ct)
    {
        await using var command = new MySqlCommand(pending[table].ToString(), connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        pending.Remove(table);
        counts.Remove(table);
    }

    private static string Values(SampleRow row) => row.Table switch
    {
        SampleTable.Department => $"({Text(row.Text)},{Text(row.Name)})",
        SampleTable.Employee => $"({Int(row.EmpNo)},{Date(row.From)},{Text(row.Text)},{Text(row.Name)},{Text(row.Gender)},{Date(row.To)})",
        SampleTable.Salary => $"({Int(row.EmpNo)},{Int(row.Amount)},{Date(row.From)},{Date(row.To)})",
        // dept_emp, dept_manager, title: emp_no, a text column, from_date, to_date.
        _ => $"({Int(row.EmpNo)},{Text(row.Text)},{Date(row.From)},{Date(row.To)})",
    };

    // The generator's names are plain letters, spaces, hyphens and apostrophes; MySqlSql.Literal refuses a backslash.
    private static string Text(string value) => MySqlSql.Literal(value);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly value) => "'" + value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'";
}
