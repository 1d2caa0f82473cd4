namespace JitGate.Core.Policy;

/// <summary>A binding's reach: no databases and no tables means every database of the project.</summary>
public sealed record BindingScope
{
    public List<string>? Databases { get; init; }
    public List<ScopedTable>? Tables { get; init; }

    public bool IsEverything => (Databases is null || Databases.Count == 0) && (Tables is null || Tables.Count == 0);
}

/// <summary>One table (or view) of one database.</summary>
public sealed record ScopedTable
{
    public string Database { get; init; } = "";
    public string? Schema { get; init; }
    public string Table { get; init; } = "";
}
