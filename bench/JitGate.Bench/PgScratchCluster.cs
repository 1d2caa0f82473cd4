using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace JitGate.Bench;

/// <summary>
/// An empty throwaway PostgreSQL 15 cluster on a loopback port, started the way the engine tests' fixture
/// does (initdb and pg_ctl in a temp folder, as the postgres OS user when running as root, fsync off),
/// with a chosen max_connections. The suite using it creates its own databases and roles.
/// </summary>
internal sealed class PgScratchCluster : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jitgate-bench-scratch-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly bool _asRoot = Environment.UserName == "root";
    private bool _started;

    private PgScratchCluster()
    {
    }

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>Null when the PostgreSQL 15 binaries are missing (the suite then says so and skips).</summary>
    public static PgScratchCluster? Start(int maxConnections)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            return null;
        }

        var cluster = new PgScratchCluster();
        try
        {
            cluster.Initialize(maxConnections);
            return cluster;
        }
        catch
        {
            cluster.Stop();
            throw;
        }
    }

    /// <summary>A superuser connection string over the Unix socket (trust authentication), without pooling.</summary>
    public string SuperuserConnectionString(string database) =>
        $"Host={_folder};Port={Port};Username=postgres;Database={database};Pooling=false;Command Timeout=0";

    /// <summary>A password login over TCP, as a native client would connect.</summary>
    public string LoginConnectionString(string database, string username, string password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = username,
            Password = password,
            Pooling = false,
            Timeout = 30,
        }.ConnectionString;

    public async Task ExecuteAsSuperuserAsync(string database, params IEnumerable<string> statements)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString(database));
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task<T> ScalarAsSuperuserAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Initialize(int maxConnections)
    {
        Directory.CreateDirectory(_folder);
        if (_asRoot)
        {
            Run("chown", ["postgres:postgres", _folder]);
        }

        Port = FreePort();
        RunAsPostgres(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
        _started = true;
        RunAsPostgres(Path.Combine(BinDirectory, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "start", "-o",
            $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            + $"-c full_page_writes=off -c shared_buffers=128MB -c max_connections={maxConnections}",
        ]);
    }

    private void Stop()
    {
        try
        {
            if (_started)
            {
                RunAsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        catch (InvalidOperationException)
        {
            // Not running: nothing to stop.
        }
        finally
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
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
        if (_asRoot)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
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
