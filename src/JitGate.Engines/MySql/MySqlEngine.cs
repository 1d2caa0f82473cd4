using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// MySQL 8 and MariaDB 10.11+ servers: one JitGate-owned account per (user, database) holding exactly
/// the <c>GRANT SELECT</c> the user's bindings give (README.md beside this file has the checked facts
/// and the admin's SQL). Which of the two a server is, is read from its version string.
/// </summary>
public sealed class MySqlEngine : ITargetEngine
{
    /// <summary>The engine's name in the API and the store.</summary>
    public const string EngineName = "mysql";

    public string Name => EngineName;

    public string Title => "MySQL or MariaDB";

    public bool IsServer => true;

    public int DefaultPort => 3306;

    public IEngineRoles? Roles { get; } = new MySqlRoles();

    public Task<IReadOnlyList<string>> CheckAdminAsync(EngineServer server, CancellationToken ct) => MySqlCatalog.CheckAdminAsync(server, ct);

    /// <summary>Every database the admin can see, each with its tables and views; these engines have no PUBLIC findings to report (null).</summary>
    public async Task<IReadOnlyList<DiscoveredDatabase>> DiscoverAsync(EngineEndpoint endpoint, CancellationToken ct)
    {
        var server = endpoint?.Server ?? throw new ArgumentException("A MySQL endpoint is a server.", nameof(endpoint));
        var found = new List<DiscoveredDatabase>();
        foreach (var name in await MySqlCatalog.ListDatabasesAsync(server, ct))
        {
            found.Add(new DiscoveredDatabase(name, await MySqlCatalog.ReadTablesAsync(server, name, ct), null));
        }

        return found;
    }

    public IReadOnlyList<StatementSpan> SplitStatements(string script) => MySqlStatements.Split(script);

    public Task<QueryOutcome> RunAsync(EngineQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var server = query.Endpoint.Server ?? throw new ArgumentException("A MySQL query needs a server.", nameof(query));
        var login = query.Login ?? throw new ArgumentException("A MySQL query runs as the user's own account.", nameof(query));
        return MySqlQueryRunner.RunAsync(server, query.Database, login.RoleName, login.Password, query.Statement, query.Limits, ct);
    }

    public async Task<bool> CreateSampleAsync(EngineEndpoint endpoint, string database, int employees, CancellationToken ct)
    {
        var server = endpoint?.Server ?? throw new ArgumentException("A MySQL endpoint is a server.", nameof(endpoint));
        await MySqlSampleGenerator.CreateAsync(server, database, employees, ct: ct);
        return true;
    }

    /// <summary>Reads <c>Server=…;Port=…;User ID=…;Password=…</c> (MySqlConnector's keywords); the port defaults to 3306.</summary>
    public EngineServer ParseConnectionString(string connectionString)
    {
        var login = new MySqlConnectionStringBuilder(connectionString);
        return new EngineServer(string.IsNullOrEmpty(login.Server) ? "localhost" : login.Server, (int)login.Port, login.UserID ?? "", login.Password ?? "");
    }
}

/// <summary>MySQL's and MariaDB's per-user accounts, through <see cref="MySqlAccess"/> and <see cref="MySqlRoleLock"/>.</summary>
internal sealed class MySqlRoles : IEngineRoles
{
    public int MaxNameLength => MySqlSql.MaxUserNameLength;

    public async Task<IAsyncDisposable> LockAsync(EngineServer server, string database, IReadOnlyCollection<string> roles, CancellationToken ct) =>
        await MySqlRoleLock.AcquireAsync(server, roles, ct);

    public Task<RoleReport> ReconcileAsync(EngineServer server, string database, string role, string password, ReadGrant grant, DateTimeOffset? validUntil, CancellationToken ct) =>
        MySqlAccess.ReconcileAsync(server, database, role, password, grant, validUntil, ct);

    public Task<RoleReport> EndAsync(EngineServer server, string database, string role, CancellationToken ct) =>
        MySqlAccess.EndAccessAsync(server, database, role, ct);

    public Task<EndRolesReport> EndManyAsync(EngineServer server, string database, IReadOnlyList<string> roles, CancellationToken ct) =>
        MySqlAccess.EndAccessManyAsync(server, database, roles, ct);

    public void ForgetSessions(EngineServer server, string database, string role) => MySqlQueryRunner.ClearPool(server, database, role);
}
