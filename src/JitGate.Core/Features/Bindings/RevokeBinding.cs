using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Query;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// Ends a binding now. By the time this returns, the policy no longer grants it and the holders'
/// running queries have been cancelled. Those who may grant in the project may revoke any of its
/// bindings; the user a project binding names may give it back themselves (API.md, "Lifecycle"), and it
/// ends exactly as an admin's revoke does.
/// </summary>
public sealed class RevokeBinding(JitGateDb db, Permissions permissions, AuditLog audit, EventOutbox outbox, AccessChanged accessChanged, TimeProvider clock)
{
    public async Task HandleAsync(Actor actor, string? projectId, long bindingId, CancellationToken ct)
    {
        var binding = await permissions.LoadBindingForRevokeAsync(actor, projectId, bindingId, ct);
        var byHolder = Permissions.IsHolder(actor, binding);
        if (binding.RevokedAt is not null) return;

        binding.RevokedAt = clock.GetUtcNow();
        binding.RevokedBy = actor.UserId;
        var namer = await Principals.NamerAsync(db, [binding], ct);
        var principal = namer(binding).Principal;
        audit.Add(db, actor, "binding.revoke", CreateBinding.BindingResource(binding), AuditLog.Success,
            new { bindingId, principal, role = binding.Role, byHolder });
        outbox.Add(db, EventNames.AccessRevoked, binding.ProjectId, requestId: binding.RequestId, bindingId: binding.Id,
            binding: new { id = binding.Id, principal, role = binding.Role, binding.ExpiresAt, revokedBy = actor.Email, by = actor.Email });
        await db.SaveChangesAsync(ct);
        await accessChanged.AfterCommitAsync(binding.PrincipalType, binding.PrincipalId, narrowed: true, ct);
    }
}
