using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Engines;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

/// <summary>Makes the stored list of a database's tables and views match what the engine reports.</summary>
public static class DatabaseSync
{
    public static void Apply(JitGateDb db, DatabaseEntity database, IReadOnlyList<CatalogTable> found, DateTimeOffset now)
    {
        var existing = database.Tables.ToDictionary(t => (t.Schema, t.Name));
        var seen = new HashSet<(string, string)>();
        foreach (var t in found)
        {
            seen.Add((t.Schema, t.Name));
            var columns = Json.Serialize(t.Columns.Select(c => new ColumnDto(c.Name, c.Type)));
            if (existing.TryGetValue((t.Schema, t.Name), out var row))
            {
                row.Kind = t.Kind;
                row.ColumnsJson = columns;
            }
            else
            {
                database.Tables.Add(new DatabaseTable { DatabaseId = database.Id, Schema = t.Schema, Name = t.Name, Kind = t.Kind, ColumnsJson = columns });
            }
        }
        foreach (var gone in database.Tables.Where(t => !seen.Contains((t.Schema, t.Name))).ToList())
        {
            database.Tables.Remove(gone);
            db.DatabaseTables.Remove(gone);
        }
        database.SyncedAt = now;
    }

    /// <summary>A database id: its name when free, else the name qualified by its instance.</summary>
    public static async Task<string> NewDatabaseIdAsync(JitGateDb db, string name, string instanceId, CancellationToken ct)
    {
        var baseId = Slug.From(name);
        if (baseId.Length == 0) baseId = "db";
        if (!await db.Databases.AnyAsync(d => d.Id == baseId, ct) && !db.Databases.Local.Any(d => d.Id == baseId)) return baseId;
        return Slug.From($"{instanceId}-{baseId}");
    }
}
