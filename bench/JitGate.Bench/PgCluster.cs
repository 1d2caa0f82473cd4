using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace JitGate.Bench;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on a loopback port, started the way the engine tests' fixture does
/// (initdb and pg_ctl, as the postgres OS user when running as root), with hr_prod holding a small
/// employee table, JitGate's instance admin, and a plain reader role for the direct references.
/// </summary>
internal sealed class PgCluster : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string Database = "hr_prod";
    public const string AdminName = "jitgate_admin";
    public const string AdminPassword = "admin-Secret-1";
    public const string ReaderName = "bench_reader";
    public const string ReaderPassword = "reader-Secret-1";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jitgate-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly bool _asRoot = Environment.UserName == "root";

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>Null when the binaries are missing (the suite then says so and skips).</summary>
    public static async Task<PgCluster?> StartAsync(int employees)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb"))) return null;
        var cluster = new PgCluster();
        try
        {
            await cluster.InitializeAsync(employees);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public NpgsqlDataSource ReaderSource(int maxPool) => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = Database,
        Username = ReaderName,
        Password = ReaderPassword,
        MaxPoolSize = maxPool,
    }.ConnectionString);

    private async Task InitializeAsync(int employees)
    {
        Directory.CreateDirectory(_folder);
        if (_asRoot) Run("chown", ["postgres:postgres", _folder]);
        Port = FreePort();
        RunAsPostgres(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
        RunAsPostgres(Path.Combine(BinDirectory, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "30", "start", "-o",
            $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            + "-c full_page_writes=off -c shared_buffers=32MB -c max_connections=100",
        ]);
        await ExecuteAsync("postgres", "CREATE DATABASE hr_prod");
        await ExecuteAsync(Database,
            """
            CREATE TABLE employee (
                emp_no INT NOT NULL PRIMARY KEY, birth_date DATE NOT NULL, first_name VARCHAR(14) NOT NULL,
                last_name VARCHAR(16) NOT NULL, gender CHAR(1) NOT NULL, hire_date DATE NOT NULL)
            """,
            $"""
            INSERT INTO employee
            SELECT 10000 + i, DATE '1960-01-01' + (i % 9000), 'First' || i, 'Last' || i,
                   CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END, DATE '1990-01-01' + (i % 7000)
            FROM generate_series(1, {employees}) AS i
            """,
            "ANALYZE employee",
            $"CREATE ROLE {AdminName} LOGIN CREATEROLE PASSWORD '{AdminPassword}'",
            $"GRANT pg_signal_backend TO {AdminName}",
            "REVOKE CONNECT ON DATABASE hr_prod FROM PUBLIC",
            $"GRANT CONNECT ON DATABASE hr_prod TO {AdminName} WITH GRANT OPTION",
            $"GRANT USAGE ON SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"CREATE ROLE {ReaderName} LOGIN PASSWORD '{ReaderPassword}'",
            $"GRANT CONNECT ON DATABASE hr_prod TO {ReaderName}",
            $"GRANT SELECT ON employee TO {ReaderName}");
    }

    private async Task ExecuteAsync(string database, params string[] statements)
    {
        await using var connection = new NpgsqlConnection($"Host={_folder};Port={Port};Username=postgres;Database={database};Pooling=false");
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.CompletedTask;
        try
        {
            if (Directory.Exists(DataDirectory)) RunAsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Not started: nothing to stop.
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void RunAsPostgres(string program, string[] arguments)
    {
        if (_asRoot) Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        else Run(program, arguments);
    }

    private static void Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
    }
}
