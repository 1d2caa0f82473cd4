namespace JitGate.Engines.Sqlite;

/// <summary>
/// SQLite database files on the JitGate server. The engine enforces each grant per statement (its
/// authorizer callback and a check of the compiled program's b-trees, see <see cref="SqliteQueryRunner"/>),
/// so there are no per-user logins and no native credentials.
/// </summary>
public sealed class SqliteEngine : ITargetEngine
{
    /// <summary>The engine's name in the API and the store.</summary>
    public const string EngineName = "sqlite";

    public string Name => EngineName;

    public string Title => "SQLite";

    public bool IsServer => false;

    public int DefaultPort => 0;

    public IEngineRoles? Roles => null;

    public Task<IReadOnlyList<string>> CheckAdminAsync(EngineServer server, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>The file's one database, named after the file.</summary>
    /// <exception cref="EngineException">The file is missing or is not a SQLite database.</exception>
    public Task<IReadOnlyList<DiscoveredDatabase>> DiscoverAsync(EngineEndpoint endpoint, CancellationToken ct)
    {
        var path = RequirePath(endpoint);
        try
        {
            return Task.FromResult<IReadOnlyList<DiscoveredDatabase>>([new DiscoveredDatabase(Path.GetFileNameWithoutExtension(path), SqliteSchemaReader.Read(path), null)]);
        }
        catch (SqliteEngineException e)
        {
            throw new EngineException(e.Message, e);
        }
    }

    public IReadOnlyList<StatementSpan> SplitStatements(string script) => SqliteStatements.Split(script);

    public Task<QueryOutcome> RunAsync(EngineQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            // Synchronous by nature: the native library runs the statement on this thread.
            return Task.FromResult(SqliteQueryRunner.Run(RequirePath(query.Endpoint), query.Grant, query.Statement, query.Limits, ct));
        }
        catch (SqliteEngineException e)
        {
            throw new EngineException(e.Message, e);
        }
    }

    public Task<bool> CreateSampleAsync(EngineEndpoint endpoint, string database, int employees, CancellationToken ct)
    {
        SampleDatabaseGenerator.Create(RequirePath(endpoint), employees);
        return Task.FromResult(true);
    }

    public EngineServer ParseConnectionString(string connectionString) =>
        throw new ArgumentException("SQLite databases are files; they have no server connection string.", nameof(connectionString));

    private static string RequirePath(EngineEndpoint endpoint) =>
        endpoint?.Path ?? throw new ArgumentException("A SQLite endpoint is a file path.", nameof(endpoint));
}
