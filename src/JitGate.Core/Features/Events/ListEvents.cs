using System.Text.Json;
using JitGate.Core.Common;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Events;

public sealed record EventDto(long Seq, string Id, string Event, DateTimeOffset OccurredAt, string? Project, JsonElement Payload);

/// <summary>Admins and DBAs read the event outbox in order, after a sequence number.</summary>
public sealed class ListEvents(JitGateDb db)
{
    public async Task<List<EventDto>> HandleAsync(Actor actor, long? after, string? name, int? limit, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var take = limit ?? 100;
        if (take is < 1 or > 1000) throw ApiProblem.Validation("limit must be between 1 and 1000.");
        var query = db.Outbox.AsNoTracking().Where(e => e.Seq > (after ?? 0));
        if (!string.IsNullOrEmpty(name)) query = query.Where(e => e.Event == name);
        var rows = await query.OrderBy(e => e.Seq).Take(take).ToListAsync(ct);
        return rows.Select(e => new EventDto(e.Seq, e.Id, e.Event, e.OccurredAt, e.ProjectId, JsonDocument.Parse(e.PayloadJson).RootElement.Clone())).ToList();
    }
}
