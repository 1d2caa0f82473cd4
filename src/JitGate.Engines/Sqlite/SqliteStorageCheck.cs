using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// The second half of SQLite enforcement: after the authorizer has judged what the compiler told it,
/// every table whose storage the compiled program opens is judged again, so a read the authorizer never
/// hears of (a <c>USING</c> or <c>NATURAL</c> join, an aggregate over a join) still needs a grant.
/// </summary>
internal static class SqliteStorageCheck
{
    /// <summary>
    /// Checks the program of <paramref name="stmt"/>; unreadable tables are added to the policy's denied
    /// list, storage that cannot be named refuses the statement, and readable tables join the list of
    /// tables read (for the audit).
    /// </summary>
    public static void Check(sqlite3 db, sqlite3_stmt stmt, SqliteReadPolicy policy, SqliteSchemaMap schema)
    {
        foreach (var open in SqliteProgram.Opens(db, stmt))
        {
            var table = Name(db, open, policy, schema);
            if (table is null)
            {
                policy.RefuseStatement(open.Opcode == "VOpen"
                    ? "This statement reads a virtual table that JitGate cannot identify, so it is not allowed."
                    : "This statement reads storage outside the database's own tables, so it is not allowed.");
                return;
            }

            policy.AuthorizeStorage(table, view => ViewReads(db, view, policy, schema));
        }
    }

    private static string? Name(sqlite3 db, SqliteProgram.Open open, SqliteReadPolicy policy, SqliteSchemaMap schema)
    {
        if (open.Opcode == "VOpen")
        {
            return open.Instance is null ? null : VirtualTables(db, policy, schema).GetValueOrDefault(open.Instance);
        }

        return open.Database switch
        {
            0 => schema.TableAt(open.RootPage),
            // The temp database holds nothing a reader could have put there (CREATE TEMP is refused);
            // page 1 is its schema table.
            1 when open.RootPage == 1 => "sqlite_temp_schema",
            _ => null,
        };
    }

    /// <summary>Tables whose storage the view's own program opens.</summary>
    private static HashSet<string> ViewReads(sqlite3 db, string view, SqliteReadPolicy policy, SqliteSchemaMap schema)
    {
        if (schema.ViewBaseTables.TryGetValue(view, out var known))
        {
            return known;
        }

        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var open in Quietly(policy, () => SqliteProgram.OpensOf(db, view)))
        {
            if (Name(db, open, policy, schema) is { } table)
            {
                tables.Add(table);
            }
        }

        schema.ViewBaseTables[view] = tables;
        return tables;
    }

    /// <summary>
    /// Which virtual table each <c>vtab:</c> instance of this connection is: the schema's virtual tables
    /// and the table-valued functions readers may use, each compiled once in EXPLAIN mode.
    /// </summary>
    private static Dictionary<string, string> VirtualTables(sqlite3 db, SqliteReadPolicy policy, SqliteSchemaMap schema)
    {
        if (schema.VirtualTableByInstance is { } known)
        {
            return known;
        }

        var byInstance = new Dictionary<string, string>(StringComparer.Ordinal);
        var candidates = schema.VirtualTables.Select(name => (name, (string?)null))
            .Concat(SqliteReadPolicy.TableFunctions.Select(name => (name, (string?)"('')")));
        foreach (var (name, arguments) in candidates)
        {
            foreach (var open in Quietly(policy, () => SqliteProgram.OpensOf(db, name, arguments)))
            {
                if (open.Opcode == "VOpen" && open.Instance is not null)
                {
                    byInstance.TryAdd(open.Instance, name);
                }
            }
        }

        schema.VirtualTableByInstance = byInstance;
        return byInstance;
    }

    private static T Quietly<T>(SqliteReadPolicy policy, Func<T> compile)
    {
        policy.Quiet = true;
        try
        {
            return compile();
        }
        finally
        {
            policy.Quiet = false;
        }
    }
}
