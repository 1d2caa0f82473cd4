namespace JitGate.Core;

/// <summary>Settings under the "JitGate" configuration section.</summary>
public sealed class JitGateOptions
{
    /// <summary>Folder for the metadata store, the sample databases and the key ring.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>
    /// Serve the web console (true by default). False serves the API only, for replicas that no person
    /// opens; the console's assets are then not needed.
    /// </summary>
    public bool Console { get; set; } = true;

    /// <summary>Create the sample environments, project and hr_test/hr_prod databases on first start.</summary>
    public bool CreateSample { get; set; } = true;

    /// <summary>Employees in each generated sample database (up to 1,000,000).</summary>
    public int SampleEmployees { get; set; } = 1000;

    /// <summary>
    /// A PostgreSQL connection string (a login that may CREATE DATABASE and CREATEROLE, with
    /// pg_signal_backend): when set, the sample's hr_test and hr_prod are also created there, filled by
    /// the same generator, and registered as PostgreSQL instances of the Sample Project.
    /// </summary>
    public string? SamplePostgres { get; set; }

    /// <summary>Prefix for the PostgreSQL sample databases' names (hr_test, hr_prod by default).</summary>
    public string SamplePostgresPrefix { get; set; } = "";

    /// <summary>
    /// A MySQL or MariaDB connection string (a login that may create databases and users, with grant
    /// option and connection admin): when set, the sample's hr_test and hr_prod are also created there,
    /// filled by the same generator, and registered as MySQL instances of the Sample Project.
    /// </summary>
    public string? SampleMySql { get; set; }

    /// <summary>Prefix for the MySQL sample databases' names (hr_test, hr_prod by default).</summary>
    public string SampleMySqlPrefix { get; set; } = "";

    /// <summary>How long a sign-in token lasts.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Largest row cap a query may ask for.</summary>
    public int MaxRowsLimit { get; set; } = 10_000;

    /// <summary>Statement time limit for queries.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest answer of one query, in bytes of its JSON values (16 MiB by default): rows past it are left
    /// out and the answer says <c>truncatedBy: "bytes"</c>; no single value larger than it is ever read.
    /// </summary>
    public long MaxAnswerBytes { get; set; } = Engines.QueryLimits.DefaultMaxBytes;

    /// <summary>
    /// Folders that SQLite databases may be registered from (JitGate__SqliteRoots__0, __1, …); empty
    /// allows any folder outside JitGate's own data folder, /proc, /dev and /sys.
    /// </summary>
    public IReadOnlyList<string>? SqliteRoots { get; set; }

    /// <summary>
    /// Reverse proxies (addresses or CIDR networks, JitGate__TrustedProxies__0, __1, …) whose
    /// X-Forwarded-For and X-Forwarded-Proto JitGate believes. Empty (the default): the headers are ignored,
    /// because anyone could send them; the peer address is the client's.
    /// </summary>
    public IReadOnlyList<string>? TrustedProxies { get; set; }

    /// <summary>Longest statement accepted, in characters.</summary>
    public int MaxStatementLength { get; set; } = 100_000;

    /// <summary>The address people reach JitGate at, for links in events and messages.</summary>
    public string PublicUrl { get; set; } = "http://localhost:8080";

    /// <summary>How long before expiry the accessExpiringSoon event is written.</summary>
    public TimeSpan ExpiringSoonLead { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in attempts allowed per e-mail and address per minute.</summary>
    public int LoginAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// Lets webhooks and Slack replies go to loopback, private, link-local and other non-public addresses.
    /// Off by default, so that a project owner cannot make JitGate call services on its own network.
    /// </summary>
    public bool WebhooksToPrivateNetworks { get; set; }

    /// <summary>
    /// How often the full pass over every JitGate-owned engine role runs (at most a minute): it reads each
    /// role's privileges, attributes and memberships back from the engine and removes whatever no binding
    /// gives (a hand-made GRANT, a membership), recording each removal in the audit. hh:mm:ss.
    /// </summary>
    public TimeSpan DriftCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many native logins of one database whose access ends at the same moment are ended in one engine
    /// call (1 to 5,000; 1,000 by default). Each is held by a lock of its own on the engine while it ends,
    /// and PostgreSQL's shared lock table holds about max_locks_per_transaction × (max_connections + background
    /// workers) locks for all sessions together, about 7,800 with its defaults (PostgreSQL manual, "Lock
    /// Management"): ending every one of 20,000 logins in one call would fail with "out of shared memory".
    /// </summary>
    public int EngineEndBatchSize { get; set; } = 1000;

    /// <summary>
    /// How many sessions each native-credentials login on a PostgreSQL, MySQL or MariaDB server may hold at
    /// once (1 to 10,000; 20 by default). A holder who opened logged-in sessions without bound could fill the
    /// server's connection slots (max_connections) and keep a JitGate admin that is not a superuser from
    /// connecting to end the access. Drift checks put it back; sessions over a lowered limit are ended.
    /// </summary>
    public int NativeLoginConnectionLimit { get; set; } = Engines.EngineServer.DefaultLoginConnectionLimit;

    /// <summary>
    /// Single sign-on through an OpenID Connect provider (JitGate__Oidc__Authority, __ClientId, …). When its
    /// Authority is set it is in force and PUT /settings/oidc is refused; otherwise an admin may set it there.
    /// </summary>
    public Features.Identity.OidcOptions Oidc { get; set; } = new();
}
