using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

/// <summary>
/// Whoever creates a project owns it, so that the default approval step (one Project Owner) has
/// someone to approve from the first request on. The sample project is created before anyone signs
/// up; the first admin becomes its owner at signup.
/// </summary>
public static class ProjectOwners
{
    /// <summary>
    /// Adds a Project Owner binding (no expiry: owners read no data) for the user. The caller saves it,
    /// then calls <see cref="Audit"/>, which needs the binding's id.
    /// </summary>
    public static Binding Add(JitGateDb db, string projectId, long ownerId, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var binding = new Binding
        {
            ProjectId = projectId,
            PrincipalType = "user",
            PrincipalId = ownerId,
            Role = ProjectRoles.Owner,
            Source = BindingSources.Manual,
            Reason = reason,
            CreatedBy = ownerId,
            CreatedAt = now,
        };
        db.Bindings.Add(binding);
        return binding;
    }

    /// <summary>Records the saved binding in the audit trail, as the owner's own act.</summary>
    public static void Audit(JitGateDb db, AuditLog audit, Binding binding, string ownerEmail)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(binding);
        audit.Add(db, null, "binding.create", CreateBinding.BindingResource(binding), AuditLog.Success,
            new { bindingId = binding.Id, principal = "user:" + ownerEmail, role = binding.Role, binding.Reason }, actorEmail: ownerEmail);
    }

    /// <summary>The projects that nobody owns now (no unrevoked, unexpired Project Owner binding).</summary>
    public static async Task<List<string>> UnownedAsync(JitGateDb db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var projects = await db.Projects.AsNoTracking().Select(p => p.Id).ToListAsync(ct);
        var owned = (await db.Bindings.AsNoTracking()
            .Where(b => b.Role == ProjectRoles.Owner && b.RevokedAt == null && b.ProjectId != null)
            .Select(b => new { b.ProjectId, b.ExpiresAt }).ToListAsync(ct))
            .Where(b => b.ExpiresAt is null || b.ExpiresAt > now).Select(b => b.ProjectId!).ToHashSet(StringComparer.Ordinal);
        return projects.Where(p => !owned.Contains(p)).ToList();
    }
}
