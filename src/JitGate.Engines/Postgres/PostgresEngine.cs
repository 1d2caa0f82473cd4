using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// PostgreSQL servers: one JitGate-owned login role per (user, database) holding exactly the grants the
/// user's bindings give (README.md beside this file has the checked facts and the admin's SQL).
/// </summary>
public sealed class PostgresEngine : ITargetEngine
{
    /// <summary>The engine's name in the API and the store.</summary>
    public const string EngineName = "postgres";

    public string Name => EngineName;

    public string Title => "PostgreSQL";

    public bool IsServer => true;

    public int DefaultPort => 5432;

    public IEngineRoles? Roles { get; } = new PostgresRoles();

    public Task<IReadOnlyList<string>> CheckAdminAsync(EngineServer server, CancellationToken ct) => PostgresCatalog.CheckAdminAsync(server, ct);

    /// <summary>Every database the admin may connect to, each with its tables and what PUBLIC reaches there.</summary>
    public async Task<IReadOnlyList<DiscoveredDatabase>> DiscoverAsync(EngineEndpoint endpoint, CancellationToken ct)
    {
        var server = endpoint?.Server ?? throw new ArgumentException("A PostgreSQL endpoint is a server.", nameof(endpoint));
        var found = new List<DiscoveredDatabase>();
        foreach (var name in await PostgresCatalog.ListDatabasesAsync(server, ct))
        {
            found.Add(new DiscoveredDatabase(name, await PostgresCatalog.ReadTablesAsync(server, name, ct), await PostgresExposure.ReadAsync(server, name, ct)));
        }
        return found;
    }

    public IReadOnlyList<StatementSpan> SplitStatements(string script) => PostgresStatements.Split(script);

    public Task<QueryOutcome> RunAsync(EngineQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var server = query.Endpoint.Server ?? throw new ArgumentException("A PostgreSQL query needs a server.", nameof(query));
        var login = query.Login ?? throw new ArgumentException("A PostgreSQL query runs as the user's own login.", nameof(query));
        return PostgresQueryRunner.RunAsync(server, query.Database, login.RoleName, login.Password, query.Statement, query.Limits, ct);
    }

    public async Task<bool> CreateSampleAsync(EngineEndpoint endpoint, string database, int employees, CancellationToken ct)
    {
        var server = endpoint?.Server ?? throw new ArgumentException("A PostgreSQL endpoint is a server.", nameof(endpoint));
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = server.Host, Port = server.Port, Username = server.AdminUsername, Password = server.AdminPassword, Database = "postgres",
        };
        await PostgresSampleGenerator.CreateAsync(builder.ConnectionString, database, employees, ct: ct);
        return true;
    }

    public EngineServer ParseConnectionString(string connectionString)
    {
        var login = new NpgsqlConnectionStringBuilder(connectionString);
        return new EngineServer(login.Host ?? "localhost", login.Port, login.Username ?? "", login.Password ?? "");
    }
}

/// <summary>PostgreSQL's per-user login roles, through <see cref="PostgresAccess"/> and <see cref="PostgresRoleLock"/>.</summary>
internal sealed class PostgresRoles : IEngineRoles
{
    public int MaxNameLength => 63;

    public async Task<IAsyncDisposable> LockAsync(EngineServer server, string database, IReadOnlyCollection<string> roles, CancellationToken ct) =>
        await PostgresRoleLock.AcquireAsync(server, database, roles, ct);

    public Task<RoleReport> ReconcileAsync(EngineServer server, string database, string role, string password, ReadGrant grant, DateTimeOffset? validUntil, CancellationToken ct) =>
        PostgresAccess.ReconcileAsync(server, database, role, password, grant, validUntil, ct);

    public Task<RoleReport> EndAsync(EngineServer server, string database, string role, CancellationToken ct) =>
        PostgresAccess.EndAccessAsync(server, database, role, ct);

    public Task<EndRolesReport> EndManyAsync(EngineServer server, string database, IReadOnlyList<string> roles, CancellationToken ct) =>
        PostgresAccess.EndAccessManyAsync(server, database, roles, ct);

    public void ForgetSessions(EngineServer server, string database, string role) => PostgresQueryRunner.ClearPool(server, database, role);
}
