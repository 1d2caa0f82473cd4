using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// The authorizer callback of one query: decides every action the engine asks about while it compiles
/// (and, after a schema change, recompiles) the statement, and records what it saw.
/// </summary>
/// <remarks>
/// Reads: a table is readable when the grant allows it. A read inside a view is also readable when
/// that view (the innermost one, which is all SQLite reports) is granted: granted views run with their
/// definer's rights, like PostgreSQL views. Views nested in a granted view are not covered; their own
/// reads are checked on their own. A view that is not granted gives nothing: its reads are checked as
/// if written out in the query. While compiling, an unreadable read answers SQLITE_IGNORE so that
/// compilation goes on and every unreadable table gets named; such a statement is never run. Once the
/// statement runs, the answer is SQLITE_DENY, so a recompile can never quietly read NULLs.
/// </remarks>
internal sealed class SqliteReadPolicy
{
    private static readonly HashSet<string> SchemaTables = new(StringComparer.OrdinalIgnoreCase)
    {
        "sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema",
    };

    // Table-valued functions that only see their arguments or the schema, never table rows.
    private static readonly HashSet<string> PureTableFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "json_each", "json_tree", "pragma_table_info", "pragma_table_xinfo", "pragma_index_list",
        "pragma_index_info", "pragma_index_xinfo", "pragma_foreign_key_list",
    };

    /// <summary>The table-valued functions readers may use without a grant: they see only their arguments or the schema.</summary>
    public static IReadOnlyCollection<string> TableFunctions => PureTableFunctions;

    // Introspection only; none of them has a form that sets anything, so an argument is a name.
    private static readonly HashSet<string> AllowedPragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    };

    // load_extension loads native code; fts3_tokenizer takes raw pointers; readfile, writefile and
    // edit (shell functions, absent from the library but refused should a build ever add them) touch files.
    private static readonly HashSet<string> RefusedFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "load_extension", "fts3_tokenizer", "readfile", "writefile", "edit",
    };

    private readonly ReadGrant _grant;
    private readonly HashSet<string> _schemaObjects;
    private readonly HashSet<string> _definerViews;
    private readonly List<TableRef> _denied = [];
    private readonly HashSet<(string, string)> _deniedSeen = [];
    private readonly List<TableRef> _read = [];
    private readonly HashSet<(string, string)> _readSeen = [];
    private readonly HashSet<string> _usedDefinerViews = new(StringComparer.OrdinalIgnoreCase);

    public SqliteReadPolicy(ReadGrant grant, IEnumerable<(string Name, string Kind)> schemaObjects, string statement)
    {
        _grant = grant;
        var objects = schemaObjects.ToList();
        _schemaObjects = new HashSet<string>(objects.Select(o => o.Name), StringComparer.OrdinalIgnoreCase);
        _definerViews = new HashSet<string>(
            objects.Where(o => o.Kind == "view" && grant.Allows("main", o.Name)
                               && !SqliteStatementText.MayDefineCte(statement, o.Name))
                   .Select(o => o.Name),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Set once the statement compiled cleanly: from then on unreadable reads are denied outright.</summary>
    public bool Running { get; set; }

    /// <summary>Unreadable tables and views, distinct, in the order the engine asked about them.</summary>
    public IReadOnlyList<TableRef> Denied => _denied;

    /// <summary>Tables and views read under the grant, distinct, for the audit trail.</summary>
    public IReadOnlyList<TableRef> Read => _read;

    /// <summary>Why a non-read action was refused; the first refusal wins.</summary>
    public string? Violation { get; private set; }

    /// <summary>
    /// While set, every action is allowed and nothing is recorded: the runner compiles its own
    /// EXPLAIN-only statements (never run) to learn what a view or virtual table opens.
    /// </summary>
    public bool Quiet { get; set; }

    /// <summary>Granted views the authorizer saw this statement read through; their own reads carry their rights.</summary>
    public IReadOnlyCollection<string> UsedDefinerViews => _usedDefinerViews;

    public int Authorize(object? userData, int action, string? arg1, string? arg2, string? database, string? innermost)
    {
        if (Quiet)
        {
            return raw.SQLITE_OK;
        }

        switch (action)
        {
            case raw.SQLITE_SELECT:
            case raw.SQLITE_RECURSIVE:
                return raw.SQLITE_OK;
            case raw.SQLITE_READ:
                return AuthorizeRead(arg1 ?? "", arg2, database, innermost);
            case raw.SQLITE_FUNCTION:
                return arg2 is not null && RefusedFunctions.Contains(arg2)
                    ? Refuse($"The function {arg2}() is not allowed.")
                    : raw.SQLITE_OK;
            case raw.SQLITE_PRAGMA:
                return arg1 is not null && AllowedPragmas.Contains(arg1)
                    ? raw.SQLITE_OK
                    : Refuse(arg2 is null
                        ? $"PRAGMA {arg1} is not allowed: only table_info, table_xinfo, index_list, index_info, index_xinfo and foreign_key_list are."
                        : $"PRAGMA {arg1} = {arg2} is not allowed: this connection is read-only.");
            default:
                return Refuse(Describe(action, arg1));
        }
    }

    private int AuthorizeRead(string table, string? column, string? database, string? innermost)
    {
        // A FROM term whose columns are never used (count(*), EXISTS, rowid-free joins) is reported
        // once with an empty column and no database name. Nothing but main can be meant: ATTACH and
        // every CREATE TEMP are refused.
        var schema = string.IsNullOrEmpty(database) ? "main" : database;
        var isSchemaObject = schema == "main" && _schemaObjects.Contains(table);

        if (!isSchemaObject && (SchemaTables.Contains(table) || PureTableFunctions.Contains(table)))
        {
            return raw.SQLITE_OK;
        }

        // The same empty-column report names CTEs and materialized sub-queries (count(*) over a
        // CTE). Such a term holds no stored rows; the reads inside it are authorized on their own.
        if (!isSchemaObject && string.IsNullOrEmpty(column) && string.IsNullOrEmpty(database))
        {
            return raw.SQLITE_OK;
        }

        if (_grant.Allows(schema, table))
        {
            Remember(_read, _readSeen, new TableRef(schema, table));
            return raw.SQLITE_OK;
        }

        if (!string.IsNullOrEmpty(innermost) && _definerViews.Contains(innermost))
        {
            _usedDefinerViews.Add(innermost);
            Remember(_read, _readSeen, new TableRef("main", innermost));
            Remember(_read, _readSeen, new TableRef(schema, table));
            return raw.SQLITE_OK;
        }

        Remember(_denied, _deniedSeen, new TableRef(schema, table));
        return Running ? raw.SQLITE_DENY : raw.SQLITE_IGNORE;
    }

    /// <summary>
    /// Judges one table whose storage the compiled program opens (found by <see cref="SqliteProgram"/>,
    /// whether or not the authorizer was told): readable when the grant allows it, or when it is storage of
    /// a granted view that this statement reads through (<paramref name="definerViewReads"/>).
    /// </summary>
    /// <returns>False when the table is not readable; it is then named in <see cref="Denied"/>.</returns>
    public bool AuthorizeStorage(string table, Func<string, IReadOnlyCollection<string>> definerViewReads)
    {
        if (SchemaTables.Contains(table) || PureTableFunctions.Contains(table))
        {
            return true;
        }

        var reference = new TableRef("main", table);
        if (_grant.Allows("main", table)
            || _usedDefinerViews.Any(view => definerViewReads(view).Contains(table, StringComparer.OrdinalIgnoreCase)))
        {
            Remember(_read, _readSeen, reference);
            return true;
        }

        Remember(_denied, _deniedSeen, reference);
        return false;
    }

    /// <summary>Refuses the statement for a reason other than a table read (storage JitGate cannot name, for one).</summary>
    public void RefuseStatement(string reason) => Violation ??= reason;

    private int Refuse(string reason)
    {
        Violation ??= reason;
        return raw.SQLITE_DENY;
    }

    private static void Remember(List<TableRef> list, HashSet<(string, string)> seen, TableRef table)
    {
        if (seen.Add((table.Schema.ToLowerInvariant(), table.Name.ToLowerInvariant())))
        {
            list.Add(table);
        }
    }

    private static string Describe(int action, string? arg1) => action switch
    {
        raw.SQLITE_INSERT => "INSERT is not allowed: this connection is read-only.",
        raw.SQLITE_UPDATE => "UPDATE is not allowed: this connection is read-only.",
        raw.SQLITE_DELETE => "DELETE is not allowed: this connection is read-only.",
        raw.SQLITE_CREATE_TABLE or raw.SQLITE_CREATE_TEMP_TABLE => "CREATE TABLE is not allowed: this connection is read-only.",
        raw.SQLITE_CREATE_VIEW or raw.SQLITE_CREATE_TEMP_VIEW => "CREATE VIEW is not allowed: this connection is read-only.",
        raw.SQLITE_CREATE_INDEX or raw.SQLITE_CREATE_TEMP_INDEX => "CREATE INDEX is not allowed: this connection is read-only.",
        raw.SQLITE_CREATE_TRIGGER or raw.SQLITE_CREATE_TEMP_TRIGGER => "CREATE TRIGGER is not allowed: this connection is read-only.",
        raw.SQLITE_CREATE_VTABLE => "CREATE VIRTUAL TABLE is not allowed: this connection is read-only.",
        raw.SQLITE_DROP_TABLE or raw.SQLITE_DROP_TEMP_TABLE or raw.SQLITE_DROP_VIEW or raw.SQLITE_DROP_TEMP_VIEW
            or raw.SQLITE_DROP_INDEX or raw.SQLITE_DROP_TEMP_INDEX or raw.SQLITE_DROP_TRIGGER
            or raw.SQLITE_DROP_TEMP_TRIGGER or raw.SQLITE_DROP_VTABLE => "DROP is not allowed: this connection is read-only.",
        raw.SQLITE_ALTER_TABLE => "ALTER TABLE is not allowed: this connection is read-only.",
        raw.SQLITE_ATTACH => "ATTACH is not allowed: queries can read only this database.",
        raw.SQLITE_DETACH => "DETACH is not allowed.",
        raw.SQLITE_TRANSACTION => $"{arg1} is not allowed: each query runs alone in its own read-only transaction.",
        raw.SQLITE_SAVEPOINT => "SAVEPOINT is not allowed: each query runs alone in its own read-only transaction.",
        raw.SQLITE_ANALYZE => "ANALYZE is not allowed: this connection is read-only.",
        raw.SQLITE_REINDEX => "REINDEX is not allowed: this connection is read-only.",
        _ => $"This statement needs an operation that read-only access does not allow (SQLite authorizer action {action}).",
    };
}
