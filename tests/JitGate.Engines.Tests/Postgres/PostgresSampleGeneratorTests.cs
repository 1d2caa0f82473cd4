using System.Diagnostics;
using System.Globalization;
using JitGate.Engines.Postgres;
using JitGate.Engines.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace JitGate.Engines.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSampleGeneratorTests(PostgresFixture pg, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Tables = ["department", "employee", "dept_emp", "dept_manager", "title", "salary"];

    /// <summary>Each table's rows in key order, selected so both engines print them the same way.</summary>
    private static readonly Dictionary<string, string> Ordered = new()
    {
        ["department"] = "SELECT dept_no, dept_name FROM department ORDER BY dept_no",
        ["employee"] = "SELECT emp_no, birth_date, first_name, last_name, gender, hire_date FROM employee ORDER BY emp_no",
        ["dept_emp"] = "SELECT emp_no, dept_no, from_date, to_date FROM dept_emp ORDER BY emp_no, dept_no",
        ["dept_manager"] = "SELECT emp_no, dept_no, from_date, to_date FROM dept_manager ORDER BY emp_no, dept_no",
        ["title"] = "SELECT emp_no, title, from_date, to_date FROM title ORDER BY emp_no, title, from_date",
        ["salary"] = "SELECT emp_no, amount, from_date, to_date FROM salary ORDER BY emp_no, from_date",
    };

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly string _sqliteFolder = TestDatabases.NewFolder();
    private readonly List<string> _databases = [];
    private string _maker = "";

    public async Task InitializeAsync()
    {
        // The generator runs as a plain login that may create databases, not as a superuser.
        await pg.ExecuteAsSuperuserAsync("postgres", $"CREATE ROLE sample_maker_{_suffix} LOGIN CREATEDB PASSWORD 'maker-Secret-1'");
        _maker = $"Host=127.0.0.1;Port={pg.Port};Username=sample_maker_{_suffix};Password=maker-Secret-1;Database=postgres";
    }

    public async Task DisposeAsync()
    {
        // Other tests list the databases the admin may connect to; leave none behind.
        foreach (var database in _databases)
        {
            await pg.ExecuteAsSuperuserAsync("postgres", $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }

        await pg.ExecuteAsSuperuserAsync("postgres", $"DROP ROLE IF EXISTS sample_maker_{_suffix}");
        Directory.Delete(_sqliteFolder, recursive: true);
    }

    [Fact]
    public async Task Creates_1000_employees_with_the_sqlite_generators_rows_quickly()
    {
        await PostgresSampleGenerator.CreateAsync(_maker, NewDatabase(), 10); // warm-up: JIT and first connections
        var database = NewDatabase();
        var clock = Stopwatch.StartNew();
        await PostgresSampleGenerator.CreateAsync(_maker, database, 1000);
        clock.Stop();
        output.WriteLine($"1,000 employees on PostgreSQL (database created, rows, keys, views): {clock.Elapsed.TotalMilliseconds:0} ms");

        var sqlite = Path.Combine(_sqliteFolder, "same.db");
        SampleDatabaseGenerator.Create(sqlite, 1000, 42);
        foreach (var table in Tables.Append("current_dept_emp").Append("dept_emp_latest_date"))
        {
            Assert.Equal(SqliteCount(sqlite, table), await CountAsync(database, table));
        }

        Assert.Equal(1000, await CountAsync(database, "employee"));
        Assert.InRange(await CountAsync(database, "salary"), 8000, 11000);

        // The first rows of salary, then every row of every table, as the SQLite generator made them.
        var salary = await RowsAsync(database, Ordered["salary"] + " LIMIT 20");
        Assert.Equal(SqliteRows(sqlite, Ordered["salary"] + " LIMIT 20"), salary);
        Assert.StartsWith("10001|", salary[0], StringComparison.Ordinal);
        foreach (var table in Tables)
        {
            Assert.Equal(SqliteRows(sqlite, Ordered[table]), await RowsAsync(database, Ordered[table]));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Another_seed_gives_other_rows_and_the_same_seed_the_same()
    {
        var seven = NewDatabase();
        var eight = NewDatabase();
        await PostgresSampleGenerator.CreateAsync(_maker, seven, 300, seed: 7);
        await PostgresSampleGenerator.CreateAsync(_maker, eight, 300, seed: 8);

        var sqlite = Path.Combine(_sqliteFolder, "seven.db");
        SampleDatabaseGenerator.Create(sqlite, 300, 7);
        Assert.Equal(SqliteRows(sqlite, Ordered["salary"]), await RowsAsync(seven, Ordered["salary"]));
        Assert.NotEqual(await RowsAsync(seven, Ordered["salary"]), await RowsAsync(eight, Ordered["salary"]));
    }

    [Fact]
    public async Task Running_again_or_concurrently_never_duplicates()
    {
        var database = NewDatabase();
        // Two at once on a database that does not exist yet: one creates and fills it, the other waits and finds it done.
        await Task.WhenAll(
            PostgresSampleGenerator.CreateAsync(_maker, database, 200),
            PostgresSampleGenerator.CreateAsync(_maker, database, 200));
        var before = new Dictionary<string, long>();
        foreach (var table in Tables)
        {
            before[table] = await CountAsync(database, table);
        }

        await PostgresSampleGenerator.CreateAsync(_maker, database, 200);
        await PostgresSampleGenerator.CreateAsync(_maker, database, 500, seed: 9);

        foreach (var table in Tables)
        {
            Assert.Equal(before[table], await CountAsync(database, table));
        }

        Assert.Equal(200, before["employee"]);
    }

    [Fact]
    public async Task Has_the_shared_samples_columns_types_keys_and_working_views()
    {
        var database = NewDatabase();
        await PostgresSampleGenerator.CreateAsync(_maker, database, 1000);

        // hr_prod holds the externally made PostgreSQL sample.
        const string Columns = """
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name IN
                ('department', 'employee', 'dept_emp', 'dept_manager', 'title', 'salary', 'current_dept_emp', 'dept_emp_latest_date')
            ORDER BY table_name, ordinal_position
            """;
        Assert.Equal(await RowsAsync(PostgresFixture.Database, Columns), await RowsAsync(database, Columns));

        const string Constraints = """
            SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text IN
                ('department', 'employee', 'dept_emp', 'dept_manager', 'title', 'salary')
            ORDER BY 1
            """;
        Assert.Equal(await RowsAsync(PostgresFixture.Database, Constraints), await RowsAsync(database, Constraints));

        Assert.Equal(1000, await CountAsync(database, "current_dept_emp"));
        Assert.Equal(1000, await CountAsync(database, "dept_emp_latest_date"));
        var current = await RowsAsync(database,
            "SELECT c.dept_no || ' ' || count(*) FROM current_dept_emp c JOIN employee e USING (emp_no) GROUP BY c.dept_no ORDER BY 1");
        Assert.Equal(9, current.Count);
        var sqlite = Path.Combine(_sqliteFolder, "views.db");
        SampleDatabaseGenerator.Create(sqlite, 1000, 42);
        Assert.Equal(
            SqliteRows(sqlite, "SELECT emp_no, dept_no, from_date, to_date FROM current_dept_emp ORDER BY emp_no"),
            await RowsAsync(database, "SELECT emp_no, dept_no, from_date, to_date FROM current_dept_emp ORDER BY emp_no"));
    }

    [Fact]
    public async Task A_database_with_only_some_of_the_tables_is_left_alone_and_bad_arguments_are_refused()
    {
        var database = NewDatabase();
        await pg.ExecuteAsSuperuserAsync("postgres", $"CREATE DATABASE \"{database}\"");
        await pg.ExecuteAsSuperuserAsync(database, "CREATE TABLE employee (emp_no int)");

        var error = await Assert.ThrowsAsync<EngineException>(() => PostgresSampleGenerator.CreateAsync(_maker, database, 10));
        Assert.Contains("salary", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(database, "employee"));
        Assert.Equal(1, await CountAsync(database, "pg_tables WHERE schemaname = 'public'"));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PostgresSampleGenerator.CreateAsync(_maker, NewDatabase(), -1));
        await Assert.ThrowsAsync<ArgumentException>(() => PostgresSampleGenerator.CreateAsync(_maker, new string('d', 64), 1));
    }

    [Fact]
    public async Task A_login_without_createdb_gets_a_clear_error()
    {
        await pg.ExecuteAsSuperuserAsync("postgres", $"CREATE ROLE no_createdb_{_suffix} LOGIN PASSWORD 'plain-Secret-1'");
        try
        {
            var login = $"Host=127.0.0.1;Port={pg.Port};Username=no_createdb_{_suffix};Password=plain-Secret-1";
            var error = await Assert.ThrowsAsync<EngineException>(() => PostgresSampleGenerator.CreateAsync(login, NewDatabase(), 10));
            Assert.Contains("CREATEDB", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await pg.ExecuteAsSuperuserAsync("postgres", $"DROP ROLE no_createdb_{_suffix}");
        }
    }

    private string NewDatabase()
    {
        var name = $"hr_gen_{_suffix}_{_databases.Count}";
        _databases.Add(name);
        return name;
    }

    private async Task<long> CountAsync(string database, string relation)
    {
        var rows = await RowsAsync(database, $"SELECT count(*) FROM {relation}");
        return long.Parse(rows[0], CultureInfo.InvariantCulture);
    }

    private async Task<List<string>> RowsAsync(string database, string sql)
    {
        await using var connection = pg.Superuser(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new string[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.GetValue(i) switch
                {
                    DateTime date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
                };
            }

            rows.Add(string.Join('|', values));
        }

        return rows;
    }

    private static long SqliteCount(string path, string relation) => TestDatabases.Scalar(path, $"SELECT count(*) FROM {relation}");

    private static List<string> SqliteRows(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows.Add(string.Join('|', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
