using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// A grant: <paramref name="StartsAt"/> (RFC 3339) opens a scheduled window, the duration then counting
/// from it; otherwise access starts at once.
/// </summary>
public sealed record CreateBindingRequest(string? Principal, string? Role, BindingScope? Scope, DateTimeOffset? ExpiresAt, string? Duration, string? Reason, DateTimeOffset? StartsAt = null);

/// <summary>Grants a project role (projectId set) or a workspace-wide one (projectId null).</summary>
public sealed class CreateBinding(JitGateDb db, Permissions permissions, AuditLog audit, AccessChanged accessChanged, TimeProvider clock)
{
    public async Task<BindingDto> HandleAsync(Actor actor, string? projectId, CreateBindingRequest request, CancellationToken ct)
    {
        await permissions.RequireBindingManagerAsync(actor, projectId, ct);

        var (type, principalId, principalName) = await Principals.ResolveAsync(db, request.Principal, ct);
        if (request.Role is null || !ProjectRoles.All.Contains(request.Role))
        {
            throw ApiProblem.Validation($"role must be one of {string.Join(", ", ProjectRoles.All)}.");
        }
        var scope = await ScopeRules.NormalizeAsync(db, projectId, request.Scope, ct);
        var now = clock.GetUtcNow();
        var window = ExpiryRules.Resolve(request.Role, request.StartsAt, request.ExpiresAt, request.Duration, now, await ExpiryRules.MaximumForAsync(db, projectId, scope, ct));
        var expiresAt = window.ExpiresAt;
        var reason = TextRules.Check("reason", request.Reason)?.Trim();
        if (reason is { Length: > 2000 }) throw ApiProblem.Validation("reason may have at most 2000 characters.");

        var binding = new Binding
        {
            ProjectId = projectId,
            PrincipalType = type,
            PrincipalId = principalId,
            Role = request.Role,
            ScopeJson = scope is null ? null : Json.Serialize(scope),
            ExpiresAt = expiresAt,
            StartsAt = window.StartsAt,
            Source = BindingSources.Manual,
            Reason = string.IsNullOrEmpty(reason) ? null : reason,
            CreatedBy = actor.UserId,
            CreatedAt = now,
        };
        db.Bindings.Add(binding);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Add(db, actor, "binding.create", BindingResource(binding), AuditLog.Success,
            new { bindingId = binding.Id, principal = principalName, role = binding.Role, scope, startsAt = window.StartsAt, expiresAt, reason = binding.Reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await accessChanged.AfterCommitAsync(type, principalId, narrowed: false, ct);
        return BindingDto.From(binding, principalName, actor.Email, now);
    }

    public static string BindingResource(Binding b) => b.ProjectId is null ? $"workspace/bindings/{b.Id}" : $"projects/{b.ProjectId}/bindings/{b.Id}";
}
