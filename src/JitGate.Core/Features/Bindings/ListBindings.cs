using JitGate.Core.Common;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>Lists a project's bindings (any member may) or the workspace bindings (admins).</summary>
public sealed class ListBindings(JitGateDb db, Permissions permissions, TimeProvider clock)
{
    public async Task<List<BindingDto>> HandleAsync(Actor actor, string? projectId, string? status, CancellationToken ct)
    {
        await permissions.RequireBindingViewerAsync(actor, projectId, ct);
        if (status is not null and not ("active" or "expired" or "revoked"))
        {
            throw ApiProblem.Validation("status must be active, expired or revoked.");
        }
        var now = clock.GetUtcNow();
        var query = db.Bindings.AsNoTracking().Where(b => b.ProjectId == projectId);
        query = status switch
        {
            "revoked" => query.Where(b => b.RevokedAt != null),
            "expired" => query.Where(b => b.RevokedAt == null && b.ExpiresAt != null && b.ExpiresAt <= now),
            "active" => query.Where(b => b.RevokedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now)),
            _ => query,
        };
        var bindings = await query.OrderBy(b => b.Id).ToListAsync(ct);
        var namer = await Principals.NamerAsync(db, bindings, ct);
        var revokerIds = bindings.Where(b => b.RevokedBy != null).Select(b => b.RevokedBy!.Value).Distinct().ToList();
        var revokers = await db.Users.AsNoTracking().Where(u => revokerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        return bindings.Select(b =>
        {
            var (principal, createdBy) = namer(b);
            return BindingDto.From(b, principal, createdBy, now, b.RevokedBy is { } by ? revokers.GetValueOrDefault(by, "?") : null);
        }).ToList();
    }
}
