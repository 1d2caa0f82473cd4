using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Events;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// The holder of a binding ends it before its expiry ("I am done"): the same end as a revocation
/// (<c>binding.revoke</c> in the audit, <c>accessRevoked</c> with <c>revokedBy</c> the holder), open to the
/// holder alone and only for a binding held in their own name (API.md, Lifecycle: a group's binding is the
/// group's, not one member's to end).
/// </summary>
public sealed class GiveBackBinding(JitGateDb db, AuditLog audit, EventOutbox outbox, AccessChanged accessChanged, TimeProvider clock)
{
    /// <summary>The actor's bindings that still give access now or later, oldest first.</summary>
    public Task<List<Domain.Binding>> HeldAsync(Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = clock.GetUtcNow();
        return db.Bindings.AsNoTracking()
            .Where(b => b.PrincipalType == "user" && b.PrincipalId == actor.UserId && b.ProjectId != null && b.RevokedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now))
            .OrderBy(b => b.Id).ToListAsync(ct);
    }

    /// <summary>Ends the actor's own binding now and tells the engines.</summary>
    /// <exception cref="ApiProblem">404 for a binding that is not the actor's own or has already ended.</exception>
    public async Task<Domain.Binding> HandleAsync(Actor actor, long bindingId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = clock.GetUtcNow();
        var binding = await db.Bindings.FirstOrDefaultAsync(b => b.Id == bindingId, ct);
        // Someone else's binding and one that ended read the same: nothing here to give back.
        if (binding is null || binding.PrincipalType != "user" || binding.PrincipalId != actor.UserId || binding.ProjectId is null
            || binding.RevokedAt is not null || binding.ExpiresAt <= now)
        {
            throw ApiProblem.NotFound($"Binding {bindingId}");
        }
        binding.RevokedAt = now;
        binding.RevokedBy = actor.UserId;
        var principal = $"user:{actor.Email}";
        audit.Add(db, actor, AuditActions.BindingRevoke, CreateBinding.BindingResource(binding), AuditLog.Success,
            new { bindingId, principal, role = binding.Role, givenBack = true });
        outbox.Add(db, EventNames.AccessRevoked, binding.ProjectId, requestId: binding.RequestId, bindingId: binding.Id,
            binding: new { id = binding.Id, principal, role = binding.Role, binding.ExpiresAt, revokedBy = actor.Email });
        await db.SaveChangesAsync(ct);
        await accessChanged.AfterCommitAsync(binding.PrincipalType, binding.PrincipalId, narrowed: true, ct);
        return binding;
    }
}
