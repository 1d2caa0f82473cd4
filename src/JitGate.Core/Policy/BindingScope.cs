namespace JitGate.Core.Policy;

/// <summary>
/// A binding's reach: whole databases and single tables. A binding with no scope at all (null) reaches
/// every database of its project; a scope that names nothing reaches nothing. The API refuses an empty
/// scope (<c>empty-scope</c>), so that an explicitly empty list can never widen to everything.
/// </summary>
public sealed record BindingScope
{
    public List<string>? Databases { get; init; }
    public List<ScopedTable>? Tables { get; init; }

    /// <summary>True when the scope names no database and no table.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool NamesNothing => (Databases is null || Databases.Count == 0) && (Tables is null || Tables.Count == 0);

    /// <summary>The ids of the databases the scope names, whole or by a table, each once.</summary>
    public IEnumerable<string> DatabaseIds() => (Databases ?? []).Concat((Tables ?? []).Select(t => t.Database)).Distinct(StringComparer.Ordinal);

    /// <summary>True when the scope names the database, whole or by one of its tables.</summary>
    public bool Names(string databaseId) =>
        (Databases?.Contains(databaseId) ?? false) || (Tables?.Any(t => t.Database == databaseId) ?? false);
}

/// <summary>One table (or view) of one database.</summary>
public sealed record ScopedTable
{
    public string Database { get; init; } = "";
    public string? Schema { get; init; }
    public string Table { get; init; } = "";
}
