using System.Text;
using JitGate.Engines.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Creates PostgreSQL databases with the shape of the employee sample (tables employee, department,
/// dept_emp, dept_manager, title, salary and views current_dept_emp, dept_emp_latest_date in
/// <c>public</c>), filled with the same deterministic rows as the SQLite generator
/// (<see cref="SampleDatabaseGenerator"/>) makes for the same arguments.
/// </summary>
public static class PostgresSampleGenerator
{
    private static readonly string[] TableNames = ["department", "employee", "dept_emp", "dept_manager", "title", "salary"];

    /// <summary>
    /// Creates <paramref name="database"/> if it is missing and fills it with <paramref name="employees"/>
    /// employees. Idempotent: when the database already has the sample's tables nothing is changed, so a
    /// restart never duplicates rows. Schema and rows are made in one transaction (rows loaded with binary
    /// COPY, keys and indexes built afterwards), so a crash leaves either no tables or all of them.
    /// Concurrent calls for the same database are serialised.
    /// </summary>
    /// <param name="connectionString">
    /// A login allowed to create databases (CREATEDB); its Database setting is ignored. The database and
    /// its tables are owned by this login; the instance admin then needs its grants as the engine README says.
    /// </param>
    /// <param name="database">The database to create and fill (at most 63 bytes).</param>
    /// <param name="employees">Number of employees (0 or more); about 9 salary rows each.</param>
    /// <param name="seed">Seed of the pseudo-random generator.</param>
    /// <param name="ct">Cancels the work; the transaction then rolls back.</param>
    /// <exception cref="EngineException">
    /// The login may not create the database, or the database has only some of the sample's tables.
    /// </exception>
    public static async Task CreateAsync(string connectionString, string database, int employees, int seed = 42, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentOutOfRangeException.ThrowIfNegative(employees);
        if (Encoding.UTF8.GetByteCount(database) > 63)
        {
            throw new ArgumentException($"Database name '{database}' is longer than PostgreSQL's 63 bytes.", nameof(database));
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // One-off work: no idle connections left behind (they would block DROP DATABASE), and no
            // client-side timeout on building keys over millions of rows; ct cancels instead.
            Pooling = false,
            CommandTimeout = 0,
            Database = PostgresCatalog.MaintenanceDatabase,
        };
        await EnsureDatabaseAsync(builder.ConnectionString, database, ct);

        builder.Database = database;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Serialises concurrent generators of this database; released at commit or rollback.
        await ExecuteAsync(connection, "select pg_advisory_xact_lock(7404165209931413249)", ct);
        if (await HasTablesAsync(connection, database, ct))
        {
            await transaction.CommitAsync(ct);
            return;
        }

        await ExecuteAsync(connection, "SET LOCAL search_path = public, pg_catalog", ct);
        await ExecuteAsync(connection, "SET LOCAL maintenance_work_mem = '256MB'", ct);
        await ExecuteAsync(connection, PostgresSampleSchema.Tables, ct);
        await CopyAsync(connection, employees, seed, ct);
        await ExecuteAsync(connection, PostgresSampleSchema.Keys, ct);
        await ExecuteAsync(connection, PostgresSampleSchema.Views, ct);
        await ExecuteAsync(connection, "ANALYZE department, employee, dept_emp, dept_manager, title, salary", ct);
        await transaction.CommitAsync(ct);
    }

    private static async Task EnsureDatabaseAsync(string maintenance, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                return;
            }
        }

        try
        {
            await ExecuteAsync(connection, $"CREATE DATABASE {PostgresSql.Ident(database)}", ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another generator created it at the same moment; the advisory lock orders the rest.
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new EngineException(
                $"Login '{connection.UserName}' may not create database '{database}' ({ex.MessageText}); it needs CREATEDB.", ex);
        }
    }

    /// <summary>True when every sample table exists in <c>public</c>; throws when only some do.</summary>
    private static async Task<bool> HasTablesAsync(NpgsqlConnection connection, string database, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            select array(select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                         where n.nspname = 'public' and c.relname = any($1) order by 1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = TableNames });
        var present = (string[])(await command.ExecuteScalarAsync(ct))!;
        if (present.Length == 0)
        {
            return false;
        }

        if (present.Length == TableNames.Length)
        {
            return true;
        }

        throw new EngineException(
            $"Database '{database}' already has {string.Join(", ", present)} in schema public but not "
            + $"{string.Join(", ", TableNames.Except(present, StringComparer.Ordinal))}; it is not a generated sample, so it was left unchanged.");
    }

    /// <summary>
    /// Loads every table with binary COPY. A connection carries one COPY at a time, so the row source is
    /// enumerated once per table; drawing rows is cheap next to sending them.
    /// </summary>
    private static async Task CopyAsync(NpgsqlConnection connection, int employees, int seed, CancellationToken ct)
    {
        foreach (var table in Enum.GetValues<SampleTable>())
        {
            var perEmployee = table is not (SampleTable.Department or SampleTable.DeptManager);
            // FREEZE: the tables were created in this transaction, so the rows can be written frozen and
            // the first readers need not set hint bits on every page.
            await using var importer = await connection.BeginBinaryImportAsync(
                $"COPY {PostgresSampleSchema.CopyTarget(table)} FROM STDIN (FORMAT BINARY, FREEZE)", ct);
            foreach (var row in SampleRows.Enumerate(employees, seed, perEmployee))
            {
                if (row.Table != table)
                {
                    continue;
                }

                await importer.StartRowAsync(ct);
                switch (table)
                {
                    case SampleTable.Department:
                        await importer.WriteAsync(row.Text, NpgsqlDbType.Text, ct);
                        await importer.WriteAsync(row.Name, NpgsqlDbType.Text, ct);
                        break;
                    case SampleTable.Employee:
                        await importer.WriteAsync(row.EmpNo, NpgsqlDbType.Integer, ct);
                        await importer.WriteAsync(row.From, NpgsqlDbType.Date, ct);
                        await importer.WriteAsync(row.Text, NpgsqlDbType.Text, ct);
                        await importer.WriteAsync(row.Name, NpgsqlDbType.Text, ct);
                        await importer.WriteAsync(row.Gender, NpgsqlDbType.Text, ct);
                        await importer.WriteAsync(row.To, NpgsqlDbType.Date, ct);
                        break;
                    case SampleTable.Salary:
                        await importer.WriteAsync(row.EmpNo, NpgsqlDbType.Integer, ct);
                        await importer.WriteAsync(row.Amount, NpgsqlDbType.Integer, ct);
                        await importer.WriteAsync(row.From, NpgsqlDbType.Date, ct);
                        await importer.WriteAsync(row.To, NpgsqlDbType.Date, ct);
                        break;
                    default:
                        // dept_emp, dept_manager, title: emp_no, a text column, from_date, to_date.
                        await importer.WriteAsync(row.EmpNo, NpgsqlDbType.Integer, ct);
                        await importer.WriteAsync(row.Text, NpgsqlDbType.Text, ct);
                        await importer.WriteAsync(row.From, NpgsqlDbType.Date, ct);
                        await importer.WriteAsync(row.To, NpgsqlDbType.Date, ct);
                        break;
                }
            }

            await importer.CompleteAsync(ct);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
