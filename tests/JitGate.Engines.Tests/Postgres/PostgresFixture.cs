using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using JitGate.Engines.Postgres;
using Npgsql;

namespace JitGate.Engines.Tests.Postgres;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>
/// A throwaway PostgreSQL 15 cluster for the whole test run: initdb in a temp folder (as the postgres OS
/// user when running as root), pg_ctl on a free port, hr_prod loaded with the shared employee sample,
/// and JitGate's instance admin created the way README.md in the Postgres engine folder says.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string Database = "hr_prod";
    public const string AdminName = "jitgate_admin";
    public const string AdminPassword = "admin-Secret-1";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jitgate-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly bool _asRoot = Environment.UserName == "root";
    private int _roles;

    public int Port { get; private set; }

    public EngineServer Server => new("127.0.0.1", Port, AdminName, AdminPassword);

    private string DataDirectory => Path.Combine(_folder, "data");

    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            if (!File.Exists(Path.Combine(BinDirectory, tool)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL 15 binaries are missing ({Path.Combine(BinDirectory, tool)}); install postgresql-15 (apt-get install postgresql-15) to run these tests.");
            }
        }

        var sample = SampleFolder();
        Directory.CreateDirectory(_folder);
        if (_asRoot)
        {
            Run("chown", ["postgres:postgres", _folder]);
        }

        Port = FreePort();
        RunAsPostgres(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
        RunAsPostgres(Path.Combine(BinDirectory, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "30", "start", "-o",
            $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            + "-c full_page_writes=off -c shared_buffers=16MB -c max_connections=100",
        ]);

        await ExecuteAsSuperuserAsync("postgres", "CREATE DATABASE hr_prod", "CREATE DATABASE hr_test");
        Run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", _folder, "-p", Port.ToString(), "-U", "postgres", "-d", Database, "-f", "employee.sql"],
            workingDirectory: sample);

        // The instance admin: no superuser, exactly what the Postgres README lists.
        await ExecuteAsSuperuserAsync("postgres",
            $"CREATE ROLE {AdminName} LOGIN CREATEROLE PASSWORD '{AdminPassword}'",
            $"GRANT pg_signal_backend TO {AdminName}",
            "REVOKE CONNECT ON DATABASE hr_prod FROM PUBLIC",
            $"GRANT CONNECT ON DATABASE hr_prod TO {AdminName} WITH GRANT OPTION");
        await ExecuteAsSuperuserAsync(Database,
            $"GRANT USAGE ON SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {AdminName} WITH GRANT OPTION",
            // A second schema the admin may not hand out, for schema-level refusals.
            "CREATE SCHEMA payroll",
            "CREATE TABLE payroll.bonus (emp_no int, amount int)",
            "INSERT INTO payroll.bonus VALUES (10001, 500)");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.CompletedTask;
        try
        {
            RunAsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A role name no other test uses.</summary>
    public string NewRoleName() => $"jit_t{Interlocked.Increment(ref _roles)}";

    /// <summary>A superuser connection over the Unix socket (trust), for setting up and checking.</summary>
    public NpgsqlConnection Superuser(string database = Database) =>
        new($"Host={_folder};Port={Port};Username=postgres;Database={database};Pooling=false");

    /// <summary>A connection that logs in over TCP with a password, as a native client would.</summary>
    public NpgsqlConnection LoginAs(string role, string password) =>
        new($"Host=127.0.0.1;Port={Port};Username={role};Password={password};Database={Database};Pooling=false");

    public async Task ExecuteAsSuperuserAsync(string database, params string[] statements)
    {
        await using var connection = Superuser(database);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task<T> ScalarAsSuperuserAsync<T>(string sql)
    {
        await using var connection = Superuser();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs psql over TCP with a password, as a person with native credentials would.</summary>
    public (int ExitCode, string Output) Psql(string role, string password, string sql)
    {
        var start = new ProcessStartInfo("psql", ["-X", "-A", "-t", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", role, "-d", Database, "-c", sql])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>Runs a client program of PostgreSQL (pg_dump, say) over TCP as <paramref name="role"/>.</summary>
    public (int ExitCode, string Output) Client(string program, string role, string password, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", role, "-d", Database, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors);
    }

    private static string SampleFolder()
    {
        var relative = Path.Combine("shared", "sample-data", "employee", "postgres");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(Path.Combine(candidate, "employee.sql")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"The shared PostgreSQL sample ({relative}/employee.sql) was not found in any folder above {AppContext.BaseDirectory}; these tests need it beside the repository.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void RunAsPostgres(string program, string[] arguments)
    {
        if (_asRoot)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
    }

    private static void Run(string program, string[] arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
    }
}
