using JitGate.Core.Common;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// Checks a requested scope against the catalog: each database must belong to the project (any
/// project for workspace bindings) and each table must exist; a table without a schema takes the
/// one the catalog has for it.
/// </summary>
public static class ScopeRules
{
    public const int MaxEntries = 1000;

    /// <summary>
    /// The scope to store: null when none was given (every database of the project), otherwise the named
    /// databases and tables as the catalog spells them.
    /// </summary>
    /// <exception cref="ApiProblem">400 <c>empty-scope</c> when the scope names nothing (an empty
    /// <c>databases</c> or <c>tables</c> list, or neither); 400 <c>validation</c> for a malformed entry,
    /// a database outside the project or a table the catalog does not have.</exception>
    public static async Task<BindingScope?> NormalizeAsync(JitGateDb db, string? projectId, BindingScope? scope, CancellationToken ct)
    {
        if (scope is null) return null;
        CheckShape(scope);
        if ((scope.Databases?.Count ?? 0) + (scope.Tables?.Count ?? 0) > MaxEntries)
        {
            throw ApiProblem.Validation($"A scope may name at most {MaxEntries} databases and tables.");
        }
        var databaseIds = (scope.Databases ?? []).Concat((scope.Tables ?? []).Select(t => t.Database)).Distinct().ToList();
        var databases = await db.Databases.AsNoTracking().Where(d => databaseIds.Contains(d.Id))
            .Select(d => new { d.Id, d.ProjectId }).ToDictionaryAsync(d => d.Id, d => d.ProjectId, ct);
        foreach (var id in databaseIds)
        {
            if (!databases.TryGetValue(id ?? "", out var owner) || (projectId is not null && owner != projectId))
            {
                throw ApiProblem.Validation(projectId is null
                    ? $"scope names database '{id}', which does not exist."
                    : $"scope names database '{id}', which is not a database of project '{projectId}'.");
            }
        }

        var wholeDatabases = (scope.Databases ?? []).Distinct().Order().ToList();
        var tables = new List<ScopedTable>();
        foreach (var group in (scope.Tables ?? []).GroupBy(t => t.Database))
        {
            if (wholeDatabases.Contains(group.Key)) continue;
            var catalog = await db.DatabaseTables.AsNoTracking().Where(t => t.DatabaseId == group.Key)
                .Select(t => new { t.Schema, t.Name }).ToListAsync(ct);
            foreach (var wanted in group)
            {
                var matches = catalog.Where(c => string.Equals(c.Name, wanted.Table, StringComparison.OrdinalIgnoreCase)
                    && (wanted.Schema is null || string.Equals(c.Schema, wanted.Schema, StringComparison.OrdinalIgnoreCase))).ToList();
                if (matches.Count == 0)
                {
                    throw ApiProblem.Validation($"Database '{group.Key}' has no table or view '{(wanted.Schema is null ? "" : wanted.Schema + ".")}{wanted.Table}'.");
                }
                if (matches.Count > 1) throw ApiProblem.Validation($"'{wanted.Table}' exists in several schemas of '{group.Key}'; name the schema.");
                var table = new ScopedTable { Database = group.Key, Schema = matches[0].Schema, Table = matches[0].Name };
                if (!tables.Contains(table)) tables.Add(table);
            }
        }
        return new BindingScope { Databases = wholeDatabases.Count > 0 ? wholeDatabases : null, Tables = tables.Count > 0 ? tables : null };
    }

    /// <summary>
    /// Refuses a scope that names nothing, whatever the path it came by: an explicitly empty list must
    /// never read as "no scope", which means every database.
    /// </summary>
    /// <exception cref="ApiProblem">400 <c>empty-scope</c>, or 400 <c>validation</c> naming the malformed entry.</exception>
    public static void CheckShape(BindingScope scope)
    {
        if (scope.Databases is { Count: 0 })
        {
            throw EmptyScope("scope.databases is an empty list");
        }
        if (scope.Tables is { Count: 0 })
        {
            throw EmptyScope("scope.tables is an empty list");
        }
        if (scope.NamesNothing)
        {
            throw EmptyScope("scope names no database and no table");
        }
        for (var i = 0; i < (scope.Databases?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(scope.Databases![i]))
            {
                throw ApiProblem.Validation($"scope.databases[{i}] must be a database id (a string from GET /api/v1/databases).",
                    new Dictionary<string, object?> { ["field"] = $"scope.databases[{i}]" });
            }
        }
        for (var i = 0; i < (scope.Tables?.Count ?? 0); i++)
        {
            var table = scope.Tables![i];
            if (table is null || string.IsNullOrWhiteSpace(table.Database) || string.IsNullOrWhiteSpace(table.Table))
            {
                throw ApiProblem.Validation(
                    $"scope.tables[{i}] must be an object {{\"database\": \"<database id>\", \"schema\": \"<optional>\", \"table\": \"<name>\"}}.",
                    new Dictionary<string, object?> { ["field"] = $"scope.tables[{i}]" });
            }
        }
    }

    private static ApiProblem EmptyScope(string what) =>
        new(400, "empty-scope", "Empty scope",
            $"{what}: name at least one database or table, or leave scope out to cover every database of the project.",
            new Dictionary<string, object?> { ["field"] = "scope" });
}
