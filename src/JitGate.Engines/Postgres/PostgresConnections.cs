using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Connection strings and pools. Admin work uses Npgsql's pool keyed by connection string; query
/// connections use one data source (one pool) per (server, database, role) so a role's pool can be
/// dropped by itself, for example when its access ends.
/// </summary>
internal static class PostgresConnections
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<RoleKey, (string Password, NpgsqlDataSource Source)> RolePools = [];

    /// <summary>Opens a connection as the instance admin to <paramref name="database"/>.</summary>
    public static Task<NpgsqlConnection> OpenAdminAsync(EngineServer server, string database, CancellationToken ct) =>
        OpenAsAdminAsync(server, database, "JitGate admin", 5, ct);

    /// <summary>
    /// Opens an admin connection from a pool of its own, for holding role locks: a caller waiting for a
    /// lock must never take the connection that the lock's holder needs to finish its work.
    /// </summary>
    public static Task<NpgsqlConnection> OpenLockAsync(EngineServer server, string database, CancellationToken ct) =>
        OpenAsAdminAsync(server, database, "JitGate locks", 10, ct);

    /// <summary>
    /// Opens an admin connection from a pool of its own, for <see cref="PostgresBlockers"/>: the watch of a
    /// session must not wait for a connection that the watched work, or those it waits for, hold.
    /// </summary>
    public static Task<NpgsqlConnection> OpenWatchAsync(EngineServer server, string database, CancellationToken ct) =>
        OpenAsAdminAsync(server, database, "JitGate watch", 10, ct);

    // Npgsql pools by connection string, so each application name is a pool of its own.
    private static async Task<NpgsqlConnection> OpenAsAdminAsync(EngineServer server, string database, string applicationName, int poolSize, CancellationToken ct)
    {
        var builder = Builder(server, database, server.AdminUsername, server.AdminPassword);
        builder.ApplicationName = applicationName;
        builder.MaxPoolSize = poolSize;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The pool of connections that log in as <paramref name="roleName"/>; replaced when the password changes.</summary>
    public static NpgsqlDataSource RoleSource(EngineServer server, string database, string roleName, string password)
    {
        var key = new RoleKey(server.Host, server.Port, database, roleName);
        NpgsqlDataSource? stale = null;
        NpgsqlDataSource source;
        lock (Gate)
        {
            if (RolePools.TryGetValue(key, out var entry) && entry.Password == password)
            {
                return entry.Source;
            }

            stale = entry.Source;
            var builder = Builder(server, database, roleName, password);
            builder.ApplicationName = "JitGate query";
            builder.MaxPoolSize = 10;
            builder.ConnectionIdleLifetime = 60;
            source = NpgsqlDataSource.Create(builder);
            RolePools[key] = (password, source);
        }

        stale?.Dispose();
        return source;
    }

    /// <summary>Closes the idle connections of a role's pool and forgets it; connections in use close when returned.</summary>
    public static void ClearRolePool(EngineServer server, string database, string roleName)
    {
        NpgsqlDataSource? source = null;
        lock (Gate)
        {
            if (RolePools.Remove(new RoleKey(server.Host, server.Port, database, roleName), out var entry))
            {
                source = entry.Source;
            }
        }

        source?.Dispose();
    }

    private static NpgsqlConnectionStringBuilder Builder(EngineServer server, string database, string username, string password) =>
        new()
        {
            Host = server.Host,
            Port = server.Port,
            Database = database,
            Username = username,
            Password = password,
            Timeout = 15,
            // Role names and database names are not secrets, but the password must never reach a log:
            // Npgsql leaves it out of ConnectionString once the connection is open.
            PersistSecurityInfo = false,
        };

    private readonly record struct RoleKey(string Host, int Port, string Database, string Role);
}
