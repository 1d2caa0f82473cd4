using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Query;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// Notes each binding that has run out: one audit record per binding, and any query its holders
/// still have running is stopped. Access itself already ended at the instant of expiry, because the
/// query path compares expiresAt with now on every call.
/// </summary>
public sealed class RecordExpiries(JitGateDb db, AuditLog audit, RunningQueries running, TimeProvider clock)
{
    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.Bindings
            .Where(b => b.RevokedAt == null && b.ExpiryRecordedAt == null && b.ExpiresAt != null && b.ExpiresAt <= now)
            .OrderBy(b => b.Id).Take(500).ToListAsync(ct);
        if (due.Count == 0) return 0;
        var namer = await Principals.NamerAsync(db, due, ct);
        foreach (var b in due)
        {
            b.ExpiryRecordedAt = now;
            audit.Add(db, null, "binding.expire", CreateBinding.BindingResource(b), AuditLog.Success,
                new { bindingId = b.Id, principal = namer(b).Principal, role = b.Role, b.ExpiresAt }, actorEmail: "system");
        }
        await db.SaveChangesAsync(ct);
        foreach (var b in due) await running.EndForAsync(db, b.PrincipalType, b.PrincipalId, ct);
        return due.Count;
    }
}
