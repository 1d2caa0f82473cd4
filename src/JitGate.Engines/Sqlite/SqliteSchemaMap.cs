using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// What one schema version of a target file holds, read from <c>main.sqlite_schema</c>: its tables and
/// views, and which table each b-tree (root page) belongs to, so that the b-trees a compiled statement
/// opens can be named. Built once per schema version on a kept connection.
/// </summary>
/// <remarks>
/// Root pages come from the <c>rootpage</c> column (SQLite file format, "Storage Of The SQL Database
/// Schema"): a table's own b-tree, and each index's b-tree under the index's <c>tbl_name</c>. Views and
/// virtual tables have root page 0; a virtual table's storage lives in ordinary shadow tables of its own.
/// Page 1 is the schema table itself.
/// </remarks>
internal sealed class SqliteSchemaMap
{
    private readonly Dictionary<long, string> _tableByRootPage;

    private SqliteSchemaMap(int version, List<(string Name, string Kind)> objects, Dictionary<long, string> tableByRootPage, HashSet<string> virtualTables)
    {
        Version = version;
        Objects = objects;
        _tableByRootPage = tableByRootPage;
        VirtualTables = virtualTables;
    }

    /// <summary>The <c>PRAGMA schema_version</c> this map was read at.</summary>
    public int Version { get; }

    /// <summary>User tables and views (kind "table" or "view"), in creation order; internal sqlite_ tables left out.</summary>
    public List<(string Name, string Kind)> Objects { get; }

    /// <summary>Names of the virtual tables the schema declares (CREATE VIRTUAL TABLE).</summary>
    public HashSet<string> VirtualTables { get; }

    /// <summary>
    /// Virtual-table instances of this connection (the <c>vtab:</c> pointer that EXPLAIN shows for
    /// <c>VOpen</c>) by table name; filled on first need, valid while <see cref="Version"/> holds.
    /// </summary>
    public Dictionary<string, string>? VirtualTableByInstance { get; set; }

    /// <summary>Tables whose b-trees each view's own program opens; filled view by view on first need.</summary>
    public Dictionary<string, HashSet<string>> ViewBaseTables { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The table (for an index, the table it indexes) whose b-tree starts at <paramref name="rootPage"/>; null when none does.</summary>
    public string? TableAt(long rootPage) => _tableByRootPage.GetValueOrDefault(rootPage);

    /// <summary>Reads the schema of the main database on <paramref name="connection"/> (inside the caller's read transaction).</summary>
    /// <exception cref="SqliteException">The schema could not be read.</exception>
    public static SqliteSchemaMap Read(SqliteConnection connection, int version)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name, rootpage, sql FROM main.sqlite_schema ORDER BY rowid";
        var objects = new List<(string, string)>();
        var roots = new Dictionary<long, string> { [1] = "sqlite_schema" };
        var virtualTables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var type = reader.GetString(0);
            var name = reader.GetString(1);
            var table = reader.IsDBNull(2) ? name : reader.GetString(2);
            var root = reader.IsDBNull(3) ? 0 : reader.GetInt64(3);
            var sql = reader.IsDBNull(4) ? "" : reader.GetString(4);
            if (root > 0)
            {
                roots[root] = type == "index" ? table : name;
            }

            if (type is "table" or "view" && !name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
            {
                objects.Add((name, type));
                if (type == "table" && root == 0 && sql.StartsWith("CREATE VIRTUAL", StringComparison.OrdinalIgnoreCase))
                {
                    virtualTables.Add(name);
                }
            }
        }

        return new SqliteSchemaMap(version, objects, roots, virtualTables);
    }
}
