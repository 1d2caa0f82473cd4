using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Query;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// Notes each binding that has run out: one audit record per binding, and any query its holders
/// still have running is stopped. Access itself already ended at the instant of expiry, because the
/// query path compares expiresAt with now on every call.
/// </summary>
public sealed class RecordExpiries(JitGateDb db, AuditLog audit, EventOutbox outbox, Engines.AccessChanged accessChanged, TimeProvider clock, IOptions<JitGateOptions> options)
{
    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await NoteExpiringSoonAsync(now, ct);
        var due = await db.Bindings
            .Where(b => b.RevokedAt == null && b.ExpiryRecordedAt == null && b.ExpiresAt != null && b.ExpiresAt <= now)
            .OrderBy(b => b.Id).Take(500).ToListAsync(ct);
        if (due.Count == 0) return 0;
        var namer = await Principals.NamerAsync(db, due, ct);
        foreach (var b in due)
        {
            b.ExpiryRecordedAt = now;
            var principal = namer(b).Principal;
            audit.Add(db, null, "binding.expire", CreateBinding.BindingResource(b), AuditLog.Success,
                new { bindingId = b.Id, principal, role = b.Role, b.ExpiresAt }, actorEmail: "system");
            outbox.Add(db, EventNames.AccessExpired, b.ProjectId, requestId: b.RequestId, bindingId: b.Id,
                binding: new { id = b.Id, principal, role = b.Role, b.ExpiresAt });
        }
        await db.SaveChangesAsync(ct);
        // One step for the whole batch, so ending many logins at once stays one engine round per database.
        var groups = due.Where(b => b.PrincipalType == "group").Select(b => b.PrincipalId).Distinct().ToList();
        var users = due.Where(b => b.PrincipalType == "user").Select(b => b.PrincipalId)
            .Concat(groups.Count == 0 ? [] : await db.GroupMembers.AsNoTracking().Where(m => groups.Contains(m.GroupId)).Select(m => m.UserId).ToListAsync(ct))
            .Distinct().ToList();
        await accessChanged.AfterCommitAsync(users, narrowed: true, ct);
        return due.Count;
    }

    private async Task NoteExpiringSoonAsync(DateTimeOffset now, CancellationToken ct)
    {
        var horizon = now + options.Value.ExpiringSoonLead;
        var soon = await db.Bindings
            .Where(b => b.RevokedAt == null && b.ExpiringSoonNotifiedAt == null && b.ExpiresAt != null && b.ExpiresAt <= horizon && b.ExpiresAt > now)
            .OrderBy(b => b.Id).Take(500).ToListAsync(ct);
        if (soon.Count == 0) return;
        var namer = await Principals.NamerAsync(db, soon, ct);
        foreach (var b in soon)
        {
            b.ExpiringSoonNotifiedAt = now;
            outbox.Add(db, EventNames.AccessExpiringSoon, b.ProjectId, requestId: b.RequestId, bindingId: b.Id,
                binding: new { id = b.Id, principal = namer(b).Principal, role = b.Role, b.ExpiresAt });
        }
        await db.SaveChangesAsync(ct);
    }
}
