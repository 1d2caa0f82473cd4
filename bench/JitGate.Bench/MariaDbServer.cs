using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using JitGate.Engines.MySql;
using MySqlConnector;

namespace JitGate.Bench;

/// <summary>
/// A throwaway MariaDB server for the mysql rows of the suites: mariadb-install-db into a temp folder and
/// mariadbd on a free port and socket (as the tests' MariaDbFixture does), JitGate's instance admin as the
/// engine README asks a DBA to create it, and a plain reader account for the direct references.
/// </summary>
internal sealed class MariaDbServer : IAsyncDisposable
{
    public const string ServerBinary = "/usr/sbin/mariadbd";
    public const string InstallDb = "/usr/bin/mariadb-install-db";
    public const string AdminName = "jitgate_admin";
    public const string AdminPassword = "adminSecret1";
    public const string ReaderName = "bench_reader";
    public const string ReaderPassword = "readerSecret1";

    // The grant tables the admin reads back on MariaDB (MySqlGrantTables.Required).
    private static readonly string[] GrantTables = ["global_priv", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jitgate-bench-mariadb-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _server;

    public int Port { get; private set; }

    private string Socket => Path.Combine(_folder, "mariadb.sock");

    /// <summary>The instance as JitGate sees it.</summary>
    public EngineServer Admin => new("127.0.0.1", Port, AdminName, AdminPassword);

    /// <summary>Null when MariaDB is not installed (the suite then says so and skips).</summary>
    public static async Task<MariaDbServer?> StartAsync(int maxConnections)
    {
        if (!File.Exists(ServerBinary) || !File.Exists(InstallDb)) return null;
        var server = new MariaDbServer();
        try
        {
            await server.InitializeAsync(maxConnections);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(int maxConnections)
    {
        Directory.CreateDirectory(_folder);
        Port = FreePort();
        var asRoot = Environment.UserName == "root" ? new[] { "--user=root" } : [];
        var data = Path.Combine(_folder, "data");
        using (var install = Process.Start(new ProcessStartInfo(InstallDb,
               ["--no-defaults", $"--datadir={data}", "--skip-test-db", "--auth-root-authentication-method=normal", .. asRoot])
               { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var output = install.StandardOutput.ReadToEndAsync();
            var errors = install.StandardError.ReadToEndAsync();
            await install.WaitForExitAsync();
            if (install.ExitCode != 0) throw new InvalidOperationException($"mariadb-install-db failed: {await output}{await errors}");
        }

        _server = Process.Start(new ProcessStartInfo(ServerBinary,
        [
            "--no-defaults", $"--datadir={data}", $"--socket={Socket}", $"--port={Port}", "--bind-address=127.0.0.1", "--skip-log-bin",
            "--skip-name-resolve", $"--log-error={Path.Combine(_folder, "error.log")}", "--innodb-buffer-pool-size=128M",
            "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
            string.Create(CultureInfo.InvariantCulture, $"--max-connections={maxConnections}"), .. asRoot,
        ]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var probe = Root(null);
                await probe.OpenAsync();
                break;
            }
            catch (MySqlException) when (started.Elapsed < TimeSpan.FromSeconds(60) && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Creates <paramref name="database"/> with JitGate's employee sample, the admin with grant option on it, and the reader on employee.</summary>
    public async Task AddSampleAsync(string database, int employees)
    {
        await MySqlSampleGenerator.CreateAsync(new EngineServer("127.0.0.1", Port, "root", ""), database, employees);
        await AddAdminAndReaderAsync(database, "employee");
    }

    /// <summary>The admin exactly as the MySql README lists it, holding SELECT WITH GRANT OPTION on <paramref name="database"/>; the reader on one table.</summary>
    public Task AddAdminAndReaderAsync(string database, string readerTable) => ExecuteAsRootAsync(
    [
        $"CREATE USER IF NOT EXISTS '{AdminName}'@'%' IDENTIFIED BY '{AdminPassword}'",
        $"GRANT CREATE USER, PROCESS, CONNECTION ADMIN ON *.* TO '{AdminName}'@'%'",
        .. GrantTables.Select(t => $"GRANT SELECT ON mysql.{t} TO '{AdminName}'@'%'"),
        $"GRANT SELECT ON `{database.Replace("_", "\\_", StringComparison.Ordinal)}`.* TO '{AdminName}'@'%' WITH GRANT OPTION",
        $"CREATE USER IF NOT EXISTS '{ReaderName}'@'%' IDENTIFIED BY '{ReaderPassword}'",
        $"GRANT SELECT ON `{database}`.`{readerTable}` TO '{ReaderName}'@'%'",
    ]);

    /// <summary>A pooled data source of the reader account, for the direct reference.</summary>
    public MySqlDataSource ReaderSource(string database, int maxPool) => new(new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1", Port = (uint)Port, Database = database, UserID = ReaderName, Password = ReaderPassword,
        MaximumPoolSize = (uint)maxPool, CharacterSet = "utf8mb4",
    }.ConnectionString);

    /// <summary>A connection that logs in over TCP with a password, as a native client would.</summary>
    public MySqlConnection LoginAs(string account, string password, string database) =>
        new($"Server=127.0.0.1;Port={Port};User ID={account};Password={password};Database={database};Pooling=false");

    public MySqlConnection Root(string? database) =>
        new($"Server={Socket};Protocol=Unix;User ID=root;Database={database};Pooling=false;AllowUserVariables=true");

    public async Task ExecuteAsRootAsync(IEnumerable<string> statements)
    {
        await using var connection = Root(null);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new MySqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task<long> CountAsRootAsync(string sql)
    {
        await using var connection = Root(null);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file the server still had open; the temp folder is cleaned by the system.
        }
    }
}
