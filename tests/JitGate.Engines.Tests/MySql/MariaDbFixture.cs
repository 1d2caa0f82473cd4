using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using JitGate.Engines.MySql;
using MySqlConnector;

namespace JitGate.Engines.Tests.MySql;

[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbFixture>
{
    public const string Name = "MariaDB server";
}

/// <summary>
/// A throwaway MariaDB server for the whole test run: mariadb-install-db into a temp folder, mariadbd on a
/// free port and its own socket (as root, with --user=root, when the tests run as root), hr_prod and
/// hr_test made by JitGate's sample generator, and JitGate's instance admin created the way README.md in
/// the MySql engine folder says.
/// </summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    public const string Server = "/usr/sbin/mariadbd";
    public const string InstallDb = "/usr/bin/mariadb-install-db";
    public const string Database = "hr_prod";
    public const string AdminName = "jitgate_admin";
    public const string AdminPassword = "adminSecret1";
    public const int Employees = 200;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jitgate-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly bool _asRoot = Environment.UserName == "root";
    private Process? _server;
    private int _accounts;

    public int Port { get; private set; }

    public string Socket => Path.Combine(_folder, "mariadb.sock");

    /// <summary>The instance as JitGate sees it: its admin login over TCP.</summary>
    public EngineServer Admin => new("127.0.0.1", Port, AdminName, AdminPassword);

    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { Server, InstallDb })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"MariaDB is missing ({tool}); install it (apt-get install mariadb-server) to run these tests.");
            }
        }

        Directory.CreateDirectory(_folder);
        Port = FreePort();
        Run(InstallDb,
        [
            "--no-defaults", $"--datadir={Path.Combine(_folder, "data")}", "--skip-test-db", "--auth-root-authentication-method=normal",
            .. _asRoot ? new[] { "--user=root" } : [],
        ]);
        var start = new ProcessStartInfo(Server,
        [
            "--no-defaults", $"--datadir={Path.Combine(_folder, "data")}", $"--socket={Socket}", $"--port={Port}", "--bind-address=127.0.0.1",
            $"--pid-file={Path.Combine(_folder, "mariadb.pid")}", $"--log-error={Path.Combine(_folder, "error.log")}", "--skip-log-bin",
            "--skip-name-resolve", "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0", "--max-connections=500", "--max-prepared-stmt-count=100000",
            .. _asRoot ? new[] { "--user=root" } : [],
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await WaitForServerAsync();

        var root = new EngineServer("127.0.0.1", Port, "root", "");
        await MySqlSampleGenerator.CreateAsync(root, Database, Employees);
        await MySqlSampleGenerator.CreateAsync(root, "hr_test", 50);
        await ExecuteAsRootAsync([
            // The admin: no SUPER, no ALL PRIVILEGES; exactly what the MySql README lists.
            $"CREATE USER '{AdminName}'@'%' IDENTIFIED BY '{AdminPassword}'",
            $"GRANT CREATE USER, PROCESS, CONNECTION ADMIN ON *.* TO '{AdminName}'@'%'",
            .. MySqlGrantTablesForTests.Required.Select(t => $"GRANT SELECT ON mysql.{t} TO '{AdminName}'@'%'"),
            $"GRANT SELECT ON `hr\\_prod`.* TO '{AdminName}'@'%' WITH GRANT OPTION",
            $"GRANT SELECT ON `hr\\_test`.* TO '{AdminName}'@'%' WITH GRANT OPTION",
            // A database the admin may not hand out, for refusals outside the instance's reach.
            "CREATE DATABASE payroll",
            "CREATE TABLE payroll.bonus (emp_no INT, amount INT)",
            "INSERT INTO payroll.bonus VALUES (10001, 500)",
            // Routines running with their definer's (root's) rights: nobody is granted EXECUTE on them.
            "CREATE FUNCTION hr_prod.department_count() RETURNS INT SQL SECURITY DEFINER READS SQL DATA RETURN (SELECT COUNT(*) FROM hr_prod.department)",
            "CREATE PROCEDURE hr_prod.purge_salary() SQL SECURITY DEFINER DELETE FROM hr_prod.salary",
        ]);
    }

    public async Task DisposeAsync()
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
            // A file the server had open; the temp folder is cleaned by the system.
        }
    }

    /// <summary>An account name no other test uses.</summary>
    public string NewAccountName() => $"jit_m{Interlocked.Increment(ref _accounts)}";

    /// <summary>A root connection over the socket, for setting up and checking.</summary>
    public MySqlConnection Root(string? database = Database) =>
        new($"Server={Socket};Protocol=Unix;User ID=root;Database={database};Pooling=false;AllowUserVariables=true");

    /// <summary>A connection that logs in over TCP with a password, as a native client would.</summary>
    public MySqlConnection LoginAs(string account, string password) =>
        new($"Server=127.0.0.1;Port={Port};User ID={account};Password={password};Database={Database};Pooling=false");

    public async Task ExecuteAsRootAsync(params string[] statements)
    {
        await using var connection = Root(null);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new MySqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task<T> ScalarAsRootAsync<T>(string sql)
    {
        await using var connection = Root();
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>The number of sessions <paramref name="account"/> has open.</summary>
    public Task<long> SessionsOfAsync(string account) =>
        ScalarAsRootAsync<long>($"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '{account}'");

    /// <summary>Runs the <c>mariadb</c> client over TCP with a password, as a person with native credentials would.</summary>
    public (int ExitCode, string Output) Client(string account, string password, string sql)
    {
        var start = new ProcessStartInfo("mariadb", ["--no-defaults", "-h", "127.0.0.1", "-P", Port.ToString(CultureInfo.InvariantCulture), "-u", account, "-N", "-B", Database, "-e", sql])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MYSQL_PWD"] = password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors);
    }

    /// <summary>
    /// Starts an interactive <c>mariadb</c> client that keeps its session open and reads statements from its
    /// standard input; everything it prints is collected.
    /// </summary>
    public ClientSession OpenClient(string account, string password)
    {
        var start = new ProcessStartInfo("mariadb", ["--no-defaults", "-h", "127.0.0.1", "-P", Port.ToString(CultureInfo.InvariantCulture), "-u", account, "-N", "-B", "-n", "--force", Database])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MYSQL_PWD"] = password;
        return new ClientSession(Process.Start(start)!);
    }

    private async Task WaitForServerAsync()
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = Root(null);
                await connection.OpenAsync();
                return;
            }
            catch (MySqlException) when (started.Elapsed < TimeSpan.FromSeconds(60) && _server is { HasExited: false })
            {
                await Task.Delay(100);
            }
            catch (MySqlException ex)
            {
                var log = Path.Combine(_folder, "error.log");
                throw new InvalidOperationException(
                    $"mariadbd did not accept connections: {ex.Message}\n{(File.Exists(log) ? File.ReadAllText(log) : "")}", ex);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

    /// <summary>The grant tables the admin reads on MariaDB (as MySqlGrantTables.Required(true) lists them).</summary>
    private static class MySqlGrantTablesForTests
    {
        public static readonly string[] Required = ["global_priv", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping"];
    }
}

/// <summary>An interactive <c>mariadb</c> client: statements in, everything it printed out.</summary>
public sealed class ClientSession : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    public ClientSession(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Sends one statement and waits until the output grows or <paramref name="wait"/> passes.</summary>
    public async Task<string> SendAsync(string sql, TimeSpan? wait = null)
    {
        var before = Output.Length;
        await _process.StandardInput.WriteLineAsync(sql);
        await _process.StandardInput.FlushAsync();
        var until = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(5));
        while (Output.Length == before && DateTime.UtcNow < until && !_process.HasExited)
        {
            await Task.Delay(20);
        }

        await Task.Delay(50);
        return Output[before..];
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
