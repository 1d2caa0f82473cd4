using System.Text.Json;
using JitGate.Core.Common;
using JitGate.Core.Policy;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Audit;

/// <summary>Filters of <c>GET /audit</c>; <paramref name="Since"/> and <paramref name="Until"/> are RFC 3339 times with an offset.</summary>
public sealed record AuditQuery(string? Actor, string? Action, string? Database, string? Outcome, string? Since, string? Until, int? Page, int? PageSize);

public sealed record AuditRecordDto(long Id, DateTimeOffset At, string Actor, string Action, string Resource, string Outcome, string? Database, string? RemoteAddress, JsonElement Detail);

public sealed record AuditPage(List<AuditRecordDto> Records, int Page, int PageSize, bool HasMore);

/// <summary>Admins and DBAs read the audit trail, newest first, filtered and paged.</summary>
public sealed class SearchAudit(JitGateDb db)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public async Task<AuditPage> HandleAsync(Actor actor, AuditQuery q, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var page = q.Page ?? 1;
        var size = q.PageSize ?? DefaultPageSize;
        if (page < 1 || page > 1_000_000) throw ApiProblem.Validation("page must be 1 or more.");
        if (size < 1 || size > MaxPageSize) throw ApiProblem.Validation($"pageSize must be between 1 and {MaxPageSize}.");

        var query = db.AuditRecords.AsNoTracking();
        var actorEmail = q.Actor?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(actorEmail)) query = query.Where(r => r.Actor == actorEmail);
        if (!string.IsNullOrEmpty(q.Action)) query = q.Action.EndsWith('*')
            ? query.Where(r => r.Action.StartsWith(q.Action.TrimEnd('*')))
            : query.Where(r => r.Action == q.Action);
        if (!string.IsNullOrEmpty(q.Database)) query = query.Where(r => r.DatabaseId == q.Database);
        if (!string.IsNullOrEmpty(q.Outcome)) query = query.Where(r => r.Outcome == q.Outcome);
        if (q.Since is { } since)
        {
            var from = Rfc3339.Parse("since", since).ToUniversalTime();
            query = query.Where(r => r.At >= from);
        }
        if (q.Until is { } until)
        {
            var to = Rfc3339.Parse("until", until).ToUniversalTime();
            query = query.Where(r => r.At < to);
        }

        // Newest first by time, which the (filter, At) indexes serve in order: the store reads one page, not every match.
        var rows = await query.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).Skip((page - 1) * size).Take(size + 1).ToListAsync(ct);
        var records = rows.Take(size).Select(r => new AuditRecordDto(r.Id, r.At, r.Actor, r.Action, r.Resource, r.Outcome, r.DatabaseId, r.RemoteAddress,
            JsonDocument.Parse(r.DetailJson).RootElement.Clone())).ToList();
        return new AuditPage(records, page, size, rows.Count > size);
    }
}
