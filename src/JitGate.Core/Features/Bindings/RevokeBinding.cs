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
public sealed class RevokeBinding(JitGateDb db, Permissions permissions, AuditLog audit, EventOutbox outbox, PolicyCache policy, RunningQueries running, EnforceAccessChange enforce, TimeProvider clock)
{
    public async Task HandleAsync(Actor actor, string? projectId, long bindingId, CancellationToken ct)
    {
        if (projectId is null) Permissions.RequireAdmin(actor);
        else await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        var binding = await db.Bindings.FirstOrDefaultAsync(b => b.Id == bindingId && b.ProjectId == projectId, ct)
            ?? throw ApiProblem.NotFound($"Binding {bindingId}");
        var byHolder = projectId is not null && binding.PrincipalType == "user" && binding.PrincipalId == actor.UserId;
        if (projectId is not null && !byHolder) await permissions.LoadProjectForBindingManagerAsync(actor, projectId, ct);
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
        policy.Invalidate();
        await running.EndForAsync(db, binding.PrincipalType, binding.PrincipalId, ct);
        await enforce.ForPrincipalAsync(binding.PrincipalType, binding.PrincipalId, ct);
    }
}
