namespace JitGate.Engines.MySql;

/// <summary>
/// What a JitGate account should hold: <c>SELECT</c> on one database as a whole (database level), or on
/// exactly the listed tables and views of it (table level), nothing else anywhere, no grant option.
/// </summary>
internal sealed class MySqlWanted(string database, bool databaseLevel, IReadOnlyList<string> tables)
{
    private readonly HashSet<string> _tables = tables.ToHashSet(StringComparer.Ordinal);

    public string Database { get; } = database;

    /// <summary>SELECT on every table of the database, present and future (<c>GRANT SELECT ON `db`.*</c>).</summary>
    public bool DatabaseLevel { get; } = databaseLevel;

    /// <summary>Tables and views granted one by one, with the catalog's exact spelling.</summary>
    public IReadOnlyList<string> Tables { get; } = tables;

    /// <summary>True when <paramref name="held"/> is exactly something wanted.</summary>
    public bool Covers(MySqlGrantTables.Held held) => !held.Grantable && held switch
    {
        { Level: "database", Privilege: "SELECT" } => DatabaseLevel && held.Database == MySqlSql.DatabasePattern(Database),
        { Level: "table", Privilege: "SELECT" } => held.Database == Database && _tables.Contains(held.Name!),
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="held"/> can be taken away by a plain REVOKE SELECT (a privilege JitGate's
    /// admin could have granted); everything else needs REVOKE ALL PRIVILEGES, GRANT OPTION.
    /// </summary>
    public bool RevokableOneByOne(MySqlGrantTables.Held held) => !held.Grantable && held switch
    {
        { Level: "database", Privilege: "SELECT" } => held.Database == MySqlSql.DatabasePattern(Database),
        { Level: "table", Privilege: "SELECT" } => held.Database == Database,
        _ => false,
    };

    /// <summary>The wanted privileges that <paramref name="held"/> lacks, as GRANT targets with their description.</summary>
    public List<(string Target, string Description)> Missing(IReadOnlyCollection<MySqlGrantTables.Held> held)
    {
        var missing = new List<(string, string)>();
        if (DatabaseLevel && !held.Any(h => h is { Level: "database", Privilege: "SELECT" } && h.Database == MySqlSql.DatabasePattern(Database)))
        {
            missing.Add((MySqlSql.DatabaseLevel(Database), $"SELECT on database {Database}"));
        }

        var tables = held.Where(h => h is { Level: "table", Privilege: "SELECT" } && h.Database == Database).Select(h => h.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var table in Tables.Where(t => !tables.Contains(t)))
        {
            missing.Add((MySqlSql.Table(Database, table), $"SELECT on table {Database}.{table}"));
        }

        return missing;
    }
}
