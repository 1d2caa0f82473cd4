using System.Text.Json;
using JitGate.Core.Common;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Query;

public sealed record QueryHistoryQuery(string? Search, string? Database, int? Page, int? PageSize);

public sealed record QueryHistoryEntry(long Id, DateTimeOffset At, string? Database, string Statement, string Outcome, string? Reason, int? RowCount, long? ElapsedMs);

public sealed record QueryHistoryPage(List<QueryHistoryEntry> Entries, int Page, int PageSize, bool HasMore);

/// <summary>
/// A user's own queries, newest first, read from the audit trail: RunQuery records every statement
/// there already, so the history survives reloads and sessions and cannot disagree with the audit.
/// </summary>
public sealed class QueryHistory(JitGateDb db)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    private const int MaxSearchLength = 200;
    private const int Batch = 500;

    public async Task<QueryHistoryPage> HandleAsync(Actor actor, QueryHistoryQuery q, CancellationToken ct)
    {
        var page = q.Page ?? 1;
        var size = q.PageSize ?? DefaultPageSize;
        if (page < 1 || page > 100_000) throw ApiProblem.Validation("page must be 1 or more.");
        if (size < 1 || size > MaxPageSize) throw ApiProblem.Validation($"pageSize must be between 1 and {MaxPageSize}.");
        var search = q.Search?.Trim();
        if (search is { Length: > MaxSearchLength }) throw ApiProblem.Validation($"search may have at most {MaxSearchLength} characters.");

        var query = db.AuditRecords.AsNoTracking().Where(r => r.Action == "query.execute" && r.ActorId == actor.UserId);
        if (!string.IsNullOrEmpty(q.Database)) query = query.Where(r => r.DatabaseId == q.Database);
        if (string.IsNullOrEmpty(search))
        {
            var rows = await query.OrderByDescending(r => r.Id).Skip((page - 1) * size).Take(size + 1)
                .Select(r => new { r.Id, r.At, r.DatabaseId, r.Outcome, r.DetailJson }).ToListAsync(ct);
            var entries = rows.Take(size).Select(r => Entry(r.Id, r.At, r.DatabaseId, r.Outcome, r.DetailJson)).ToList();
            return new QueryHistoryPage(entries, page, size, rows.Count > size);
        }

        // The statement is stored JSON-encoded inside the detail, so the database narrows by the
        // encoded text and the statement itself decides; a match in another detail field (a table
        // list, a denial reason) must not count.
        // Both sides are lowered because LIKE ignores case on some providers and not on others.
        var encoded = Json.Serialize(search)[1..^1].ToLowerInvariant();
        var pattern = "%" + encoded.Replace("!", "!!", StringComparison.Ordinal).Replace("%", "!%", StringComparison.Ordinal).Replace("_", "!_", StringComparison.Ordinal) + "%";
        var narrowed = query.Where(r => EF.Functions.Like(r.DetailJson.ToLower(), pattern, "!"));
        var skip = (page - 1) * size;
        var matched = new List<QueryHistoryEntry>(size + 1);
        long? before = null;
        while (matched.Count <= size)
        {
            var batchQuery = before is { } b ? narrowed.Where(r => r.Id < b) : narrowed;
            var rows = await batchQuery.OrderByDescending(r => r.Id).Take(Batch)
                .Select(r => new { r.Id, r.At, r.DatabaseId, r.Outcome, r.DetailJson }).ToListAsync(ct);
            foreach (var r in rows)
            {
                var entry = Entry(r.Id, r.At, r.DatabaseId, r.Outcome, r.DetailJson);
                if (!entry.Statement.Contains(search, StringComparison.OrdinalIgnoreCase)) continue;
                if (skip > 0) { skip--; continue; }
                matched.Add(entry);
                if (matched.Count > size) break;
            }
            if (rows.Count < Batch) break;
            before = rows[^1].Id;
        }
        return new QueryHistoryPage(matched.Take(size).ToList(), page, size, matched.Count > size);
    }

    private static QueryHistoryEntry Entry(long id, DateTimeOffset at, string? databaseId, string outcome, string detailJson)
    {
        string statement = "";
        string? reason = null;
        int? rowCount = null;
        long? elapsedMs = null;
        try
        {
            using var doc = JsonDocument.Parse(detailJson);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("statement", out var s) && s.ValueKind == JsonValueKind.String) statement = s.GetString() ?? "";
                if (root.TryGetProperty("reason", out var why) && why.ValueKind == JsonValueKind.String) reason = why.GetString();
                if (root.TryGetProperty("rowCount", out var n) && n.TryGetInt32(out var rows)) rowCount = rows;
                if (root.TryGetProperty("elapsedMs", out var e) && e.TryGetInt64(out var ms)) elapsedMs = ms;
            }
        }
        catch (JsonException)
        {
            // A record written by an older version with another shape still lists, without its details.
        }
        return new QueryHistoryEntry(id, at, databaseId, statement, outcome, reason, rowCount, elapsedMs);
    }
}
