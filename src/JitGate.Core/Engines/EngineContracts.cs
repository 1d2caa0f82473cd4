namespace JitGate.Core.Engines;

/// <summary>A table or view of a target database, as the engine names it.</summary>
public sealed record TableRef(string Schema, string Name);

/// <summary>A table or view found when a database is synced from its engine.</summary>
public sealed record CatalogTable(string Schema, string Name, string Kind, IReadOnlyList<CatalogColumn> Columns);

/// <summary>A column of a <see cref="CatalogTable"/>.</summary>
public sealed record CatalogColumn(string Name, string Type);

/// <summary>
/// What a principal may read in one database: every table, or exactly the listed tables and views.
/// Names compare case-insensitively, as the engines do.
/// </summary>
public sealed class ReadGrant
{
    private readonly HashSet<(string Schema, string Name)> _tables;

    private ReadGrant(bool allTables, IEnumerable<TableRef> tables)
    {
        AllTables = allTables;
        _tables = new HashSet<(string, string)>(
            tables.Select(t => (t.Schema.ToLowerInvariant(), t.Name.ToLowerInvariant())));
    }

    /// <summary>Every table and view of the database.</summary>
    public static ReadGrant Everything { get; } = new(true, []);

    /// <summary>Nothing at all.</summary>
    public static ReadGrant Nothing { get; } = new(false, []);

    /// <summary>Exactly these tables and views.</summary>
    public static ReadGrant Tables(IEnumerable<TableRef> tables) => new(false, tables);

    /// <summary>True when the grant covers every table of the database.</summary>
    public bool AllTables { get; }

    /// <summary>True when reading <paramref name="schema"/>.<paramref name="name"/> is allowed.</summary>
    public bool Allows(string schema, string name) =>
        AllTables || _tables.Contains((schema.ToLowerInvariant(), name.ToLowerInvariant()));

    /// <summary>True when nothing at all may be read.</summary>
    public bool IsEmpty => !AllTables && _tables.Count == 0;

    /// <summary>
    /// The listed tables and views, with lower-cased names; empty when <see cref="AllTables"/> is true
    /// (the grant then covers whatever tables the database has) or when nothing is granted.
    /// </summary>
    public IReadOnlyCollection<TableRef> GrantedTables =>
        _tables.Select(t => new TableRef(t.Schema, t.Name)).ToList();
}

/// <summary>Limits applied to one query.</summary>
/// <param name="MaxRows">Rows returned at most; more set <see cref="QueryOutcome.Success.TruncatedBy"/> "rows".</param>
/// <param name="Timeout">Statement time limit.</param>
/// <param name="MaxBytes">
/// Bytes of one answer at most, as its values' JSON text measures them (strings in UTF-8, binary as
/// base64, numbers as printed); the row that would cross it is not returned and the answer is truncated
/// "bytes". A single value larger than this is never even read into memory.
/// </param>
public sealed record QueryLimits(int MaxRows, TimeSpan Timeout, long MaxBytes = QueryLimits.DefaultMaxBytes)
{
    /// <summary>16 MiB: an answer a browser's grid and a script both handle comfortably.</summary>
    public const long DefaultMaxBytes = 16 * 1024 * 1024;
}

/// <summary>A result column: its name and the engine's declared type ("" when unknown).</summary>
public sealed record ResultColumn(string Name, string Type);

/// <summary>The outcome of running one statement as a principal.</summary>
public abstract record QueryOutcome
{
    /// <summary>Rows were read. Values are null, long, double, string, or byte[].</summary>
    public sealed record Success(
        IReadOnlyList<ResultColumn> Columns,
        IReadOnlyList<object?[]> Rows,
        bool Truncated,
        IReadOnlyList<TableRef> TablesRead) : QueryOutcome
    {
        /// <summary>Why the answer stopped early: "rows" (the row cap) or "bytes" (the byte cap); null when complete.</summary>
        public string? TruncatedBy { get; init; }
    }

    /// <summary>The engine refused to read these tables or views (every one it was asked for).</summary>
    public sealed record Denied(IReadOnlyList<TableRef> Tables) : QueryOutcome;

    /// <summary>The statement would change something, or uses a feature refused to readers (ATTACH, PRAGMA writes, transactions).</summary>
    public sealed record ReadOnlyViolation(string Message) : QueryOutcome;

    /// <summary>The statement does not parse, names something that does not exist, or is more than one statement.</summary>
    public sealed record Invalid(string Message) : QueryOutcome;

    /// <summary>The statement ran past its time limit and was interrupted.</summary>
    public sealed record TimedOut(TimeSpan Limit) : QueryOutcome;
}
