using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Connection strings and pools. Admin work uses MySqlConnector's pool keyed by connection string;
/// query connections use one data source (one pool) per (server, database, account), so an account's
/// pool can be dropped by itself, for example when its access ends.
/// </summary>
internal static class MySqlConnections
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<AccountKey, (string Password, MySqlDataSource Source)> AccountPools = [];

    /// <summary>Opens a connection as the instance admin, with no default database.</summary>
    /// <exception cref="EngineException">The server cannot be reached or refuses the login.</exception>
    public static Task<MySqlConnection> OpenAdminAsync(EngineServer server, CancellationToken ct) =>
        OpenAsync(server, Admin(server, "JitGate admin", 5), ct);

    /// <summary>
    /// Opens an admin connection from a pool of its own, for holding account locks: a caller waiting for a
    /// lock must never take the connection that the lock's holder needs to finish its work.
    /// </summary>
    public static Task<MySqlConnection> OpenLockAsync(EngineServer server, CancellationToken ct) =>
        OpenAsync(server, Admin(server, "JitGate locks", 10), ct);

    /// <summary>Opens a connection as the admin to <paramref name="database"/> without pooling (sample generation, one-off work).</summary>
    public static Task<MySqlConnection> OpenUnpooledAsync(EngineServer server, string? database, CancellationToken ct)
    {
        var builder = Builder(server.Host, server.Port, database, server.AdminUsername, server.AdminPassword);
        builder.Pooling = false;
        builder.ApplicationName = "JitGate sample";
        builder.DefaultCommandTimeout = 0;
        return OpenAsync(server, builder, ct);
    }

    /// <summary>The pool of connections that log in as <paramref name="account"/> to <paramref name="database"/>; replaced when the password changes.</summary>
    public static MySqlDataSource AccountSource(EngineServer server, string database, string account, string password)
    {
        var key = new AccountKey(server.Host, server.Port, database, account);
        MySqlDataSource? stale;
        MySqlDataSource source;
        lock (Gate)
        {
            if (AccountPools.TryGetValue(key, out var entry) && entry.Password == password)
            {
                return entry.Source;
            }

            stale = entry.Source;
            var builder = Builder(server.Host, server.Port, database, account, password);
            builder.ApplicationName = "JitGate query";
            builder.MaximumPoolSize = 10;
            builder.ConnectionIdleTimeout = 60;
            // The reset on reuse drops whatever a statement left in the session (user variables,
            // prepared statements, HANDLERs, GET_LOCK locks, session settings).
            builder.ConnectionReset = true;
            source = new MySqlDataSource(builder.ConnectionString);
            AccountPools[key] = (password, source);
        }

        stale?.Dispose();
        return source;
    }

    /// <summary>Closes the idle connections of an account's pool and forgets it; connections in use close when returned.</summary>
    public static void ClearAccountPool(EngineServer server, string database, string account)
    {
        MySqlDataSource? source = null;
        lock (Gate)
        {
            if (AccountPools.Remove(new AccountKey(server.Host, server.Port, database, account), out var entry))
            {
                source = entry.Source;
            }
        }

        source?.Dispose();
    }

    /// <summary>True when the connection is to MariaDB rather than MySQL (the server's version string says so).</summary>
    public static bool IsMariaDb(MySqlConnection connection) =>
        connection.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs statements JitGate built itself (no user text, no passwords in a log).</summary>
    public static async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static MySqlConnectionStringBuilder Admin(EngineServer server, string application, uint poolSize)
    {
        var builder = Builder(server.Host, server.Port, null, server.AdminUsername, server.AdminPassword);
        builder.ApplicationName = application;
        builder.MaximumPoolSize = poolSize;
        return builder;
    }

    private static async Task<MySqlConnection> OpenAsync(EngineServer server, MySqlConnectionStringBuilder builder, CancellationToken ct)
    {
        var connection = new MySqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception ex) when (ex is MySqlException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            await connection.DisposeAsync();
            throw new EngineException(
                $"Cannot connect to {server.Host}:{server.Port} as '{builder.UserID}': {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static MySqlConnectionStringBuilder Builder(string host, int port, string? database, string user, string password) =>
        new()
        {
            Server = host,
            Port = (uint)port,
            Database = database ?? "",
            UserID = user,
            Password = password,
            ConnectionTimeout = 15,
            DefaultCommandTimeout = 60,
            CharacterSet = "utf8mb4",
            // @names in JitGate's own statements are user variables, not parameters.
            AllowUserVariables = true,
            // Values arrive as the server has them: CHAR(36) stays text, a zero date stays a date.
            GuidFormat = MySqlGuidFormat.None,
            AllowZeroDateTime = true,
            // The password never reaches a log: MySqlConnector leaves it out of ConnectionString once open.
            PersistSecurityInfo = false,
        };

    private readonly record struct AccountKey(string Host, int Port, string Database, string Account);
}
