namespace JitGate.Core.Engines;

/// <summary>
/// A database engine JitGate enforces access on. Policy decides what a principal may read; an engine
/// carries it out with its own privileges (DESIGN.md, "The database enforces, not a parser"). Engines
/// are registered by <see cref="Name"/>; Core never asks which engine it talks to, only what it can do.
/// </summary>
public interface ITargetEngine
{
    /// <summary>The engine's name as the API and the store spell it: "sqlite", "postgres", "mysql".</summary>
    string Name { get; }

    /// <summary>True for engines reached over the network with an admin login; false for a file on the JitGate server (SQLite).</summary>
    bool IsServer { get; }

    /// <summary>The TCP port the engine listens on by default (5432, 3306); 0 for file engines.</summary>
    int DefaultPort { get; }

    /// <summary>The engine's name for people: "PostgreSQL", "MySQL or MariaDB", "SQLite".</summary>
    string Title { get; }

    /// <summary>Per-user logins this engine enforces with, and that native credentials are; null when the engine has none (SQLite).</summary>
    IEngineRoles? Roles { get; }

    /// <summary>What the admin login lacks on <paramref name="server"/> (each a sentence naming the privilege); empty when it is ready.</summary>
    /// <exception cref="EngineException">The server cannot be reached or the login is refused.</exception>
    Task<IReadOnlyList<string>> CheckAdminAsync(EngineServer server, CancellationToken ct);

    /// <summary>The databases at <paramref name="endpoint"/>, each with its tables and views and what every login reaches there regardless of grants.</summary>
    /// <exception cref="EngineException">The server or file cannot be read.</exception>
    Task<IReadOnlyList<DiscoveredDatabase>> DiscoverAsync(EngineEndpoint endpoint, CancellationToken ct);

    /// <summary>
    /// Where the statements of <paramref name="script"/> begin and end under this engine's lexical rules
    /// (quotes, comments, dollar quotes), for a client that runs a script one statement at a time. It grants
    /// nothing: a piece that still holds two statements is refused by <see cref="RunAsync"/>.
    /// </summary>
    IReadOnlyList<StatementSpan> SplitStatements(string script);

    /// <summary>Runs one statement as the principal that <paramref name="query"/> describes; the engine refuses whatever the grant does not allow.</summary>
    /// <exception cref="EngineException">The server or file cannot be reached.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled (access changed, or the user pressed Cancel).</exception>
    Task<QueryOutcome> RunAsync(EngineQuery query, CancellationToken ct);

    /// <summary>Creates the sample database <paramref name="database"/> (hr_test, hr_prod) filled by JitGate's generator; false when this engine has no sample.</summary>
    Task<bool> CreateSampleAsync(EngineEndpoint endpoint, string database, int employees, CancellationToken ct);

    /// <summary>The server and admin login a connection string names (the sample's, from configuration).</summary>
    /// <exception cref="ArgumentException">The text is not a connection string of this engine.</exception>
    EngineServer ParseConnectionString(string connectionString);
}

/// <summary>Where a database lives: a server and its admin login, or a file on the JitGate server.</summary>
public sealed record EngineEndpoint(EngineServer? Server, string? Path)
{
    /// <summary>Describes the endpoint without any password.</summary>
    public override string ToString() => Server?.ToString() ?? $"file {Path}";
}

/// <summary>A database found on an endpoint.</summary>
/// <param name="Name">Its name on the engine (for SQLite, the file's name without extension).</param>
/// <param name="Tables">Its tables and views.</param>
/// <param name="Warnings">What every login reaches regardless of grants (PostgreSQL's PUBLIC); null when the engine has no such notion.</param>
public sealed record DiscoveredDatabase(string Name, IReadOnlyList<CatalogTable> Tables, IReadOnlyList<ExposureFinding>? Warnings);

/// <summary>One statement to run for a principal.</summary>
/// <param name="Endpoint">Where the database lives.</param>
/// <param name="Database">The database's name on the engine.</param>
/// <param name="Grant">What the principal may read now (engines without logins enforce it themselves; the others have it in the login).</param>
/// <param name="Login">The principal's own login on the engine, for engines with <see cref="ITargetEngine.Roles"/>.</param>
/// <param name="Statement">Exactly one statement.</param>
/// <param name="Limits">Row, byte and time caps.</param>
public sealed record EngineQuery(EngineEndpoint Endpoint, string Database, ReadGrant Grant, EngineLogin? Login, string Statement, QueryLimits Limits);

/// <summary>A login JitGate owns on an engine.</summary>
public sealed record EngineLogin(string RoleName, string Password)
{
    /// <summary>Never shows the password.</summary>
    public override string ToString() => $"EngineLogin {{ RoleName = {RoleName} }}";
}

/// <summary>Something every login can reach regardless of JitGate's grants, and the SQL that closes it.</summary>
/// <param name="Kind"><c>publicRead</c> or <c>publicDefinerFunction</c>.</param>
/// <param name="Target">schema.table, schema.table.column, or the function's signature.</param>
/// <param name="Detail">What is exposed and why, for people.</param>
/// <param name="Fix">The statement a DBA runs to close it.</param>
public sealed record ExposureFinding(string Kind, string Target, string Detail, string Fix);

/// <summary>
/// The per-user logins an engine enforces access with: one login per (user, database) holding exactly
/// what the user's bindings give. Every operation is idempotent; callers take turns on a login with
/// <see cref="LockAsync"/> (across replicas too) so their statements never interleave.
/// </summary>
public interface IEngineRoles
{
    /// <summary>The most characters a login name may have on this engine.</summary>
    int MaxNameLength { get; }

    /// <summary>Holds the logins until disposed: no other caller, on any replica, works on them meanwhile.</summary>
    /// <exception cref="EngineException">Unreachable, or another caller held a login too long.</exception>
    Task<IAsyncDisposable> LockAsync(EngineServer server, string database, IReadOnlyCollection<string> roles, CancellationToken ct);

    /// <summary>Makes the login hold exactly <paramref name="grant"/> in <paramref name="database"/>, valid until <paramref name="validUntil"/>, with <paramref name="password"/>.</summary>
    /// <exception cref="EngineException">The engine could not be made to match; the login then fails closed (cannot log in).</exception>
    Task<RoleReport> ReconcileAsync(EngineServer server, string database, string role, string password, ReadGrant grant, DateTimeOffset? validUntil, CancellationToken ct);

    /// <summary>Ends the login's access: no new session, nothing readable, open sessions ended.</summary>
    /// <exception cref="EngineException">Something could not be revoked; the login still cannot log in.</exception>
    Task<RoleReport> EndAsync(EngineServer server, string database, string role, CancellationToken ct);

    /// <summary>Ends many logins' access at once, as <see cref="EndAsync"/> would each.</summary>
    /// <exception cref="EngineException">Some did not fully end; <see cref="EngineException.EndAccess"/> says which did.</exception>
    Task<EndRolesReport> EndManyAsync(EngineServer server, string database, IReadOnlyList<string> roles, CancellationToken ct);

    /// <summary>Drops the pooled sessions JitGate keeps for the login (after its privileges shrank).</summary>
    void ForgetSessions(EngineServer server, string database, string role);
}

/// <summary>
/// A session an engine ended because it kept JitGate's admin session waiting while JitGate changed access:
/// a JitGate login's own (holding its own role's catalog row or lock key), or another ordinary login's that
/// held or waited for one of JitGate's lock keys (PostgreSQL, src/JitGate.Engines/Postgres/PostgresBlockers.cs).
/// Reported through <see cref="EndedBlockers.Report"/>.
/// </summary>
/// <param name="Host">The server's host, as registered.</param>
/// <param name="Port">The server's port.</param>
/// <param name="Database">The engine's name of the database JitGate was working in.</param>
/// <param name="Login">The login whose session was ended.</param>
/// <param name="ProcessId">The ended session's server process id.</param>
public sealed record EndedBlocker(string Host, int Port, string Database, string Login, int ProcessId);
