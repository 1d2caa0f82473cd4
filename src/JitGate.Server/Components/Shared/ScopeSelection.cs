using JitGate.Core.Policy;

namespace JitGate.Server.Components.Shared;

/// <summary>What a grant or request covers: every database of the project, or databases and tables picked by hand.</summary>
public sealed class ScopeSelection
{
    public bool Manual { get; set; }
    public HashSet<string> Databases { get; } = new(StringComparer.Ordinal);
    public HashSet<(string Database, string Schema, string Table)> Tables { get; } = [];

    public bool IsEmptyManual => Manual && Databases.Count == 0 && Tables.Count == 0;

    public BindingScope? ToScope()
    {
        if (!Manual) return null;
        // Tables of a database picked whole are covered by it; an emptied list is left out, never sent empty.
        var tables = Tables.Where(t => !Databases.Contains(t.Database))
            .Select(t => new ScopedTable { Database = t.Database, Schema = t.Schema, Table = t.Table }).ToList();
        return new BindingScope
        {
            Databases = Databases.Count == 0 ? null : Databases.Order(StringComparer.Ordinal).ToList(),
            Tables = tables.Count == 0 ? null : tables,
        };
    }

    public static ScopeSelection From(IEnumerable<string>? databases, IEnumerable<ScopedTable>? tables)
    {
        var selection = new ScopeSelection();
        foreach (var d in databases ?? []) selection.Databases.Add(d);
        foreach (var t in tables ?? []) selection.Tables.Add((t.Database, t.Schema ?? "main", t.Table));
        selection.Manual = selection.Databases.Count > 0 || selection.Tables.Count > 0;
        return selection;
    }

    /// <summary>A short text for lists: "All databases", "hr_prod", "hr_prod: employee, salary".</summary>
    public static string Describe(BindingScope? scope)
    {
        if (scope is null) return "All databases";
        if (scope.NamesNothing) return "Nothing";
        var parts = new List<string>();
        parts.AddRange(scope.Databases ?? []);
        parts.AddRange((scope.Tables ?? []).GroupBy(t => t.Database).Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Table))}"));
        return string.Join("; ", parts);
    }
}
