using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// The new expiry (expiresAt or duration from now, or neverExpires) and/or reason; what is left out
/// stays as it is, and an empty reason clears it.
/// </summary>
public sealed record UpdateBindingRequest(DateTimeOffset? ExpiresAt, string? Duration, bool? NeverExpires, string? Reason);

/// <summary>
/// Changes when an active binding ends, and why it exists. Who may do it and how long access may last
/// are the same as for granting it.
/// </summary>
public sealed class UpdateBinding(JitGateDb db, Permissions permissions, AuditLog audit, AccessChanged accessChanged, TimeProvider clock)
{
    public async Task<BindingDto> HandleAsync(Actor actor, string? projectId, long bindingId, UpdateBindingRequest request, CancellationToken ct)
    {
        var binding = await permissions.LoadBindingForManagerAsync(actor, projectId, bindingId, ct);

        var changesExpiry = request.ExpiresAt is not null || request.Duration is not null || request.NeverExpires is not null;
        if (!changesExpiry && request.Reason is null) throw ApiProblem.Validation("Give expiresAt, duration, neverExpires or reason.");
        if (request.NeverExpires is true && (request.ExpiresAt is not null || request.Duration is not null))
        {
            throw ApiProblem.Validation("neverExpires cannot be combined with expiresAt or duration.");
        }
        if (request.NeverExpires is false && request.ExpiresAt is null && request.Duration is null)
        {
            throw ApiProblem.Validation("neverExpires: false needs expiresAt or duration.");
        }
        var reason = TextRules.Check("reason", request.Reason)?.Trim();
        if (reason is { Length: > 2000 }) throw ApiProblem.Validation("reason may have at most 2000 characters.");

        var now = clock.GetUtcNow();
        // Reviving ended access would bypass the request and grant trail; a new grant says what happened.
        var status = BindingDto.StatusOf(binding, now);
        if (status is not ("active" or "scheduled")) throw ApiProblem.Conflict($"Binding {bindingId} is {status}; grant access anew instead.");

        var before = new { binding.ExpiresAt, binding.Reason };
        if (changesExpiry)
        {
            // neverExpires asks for no end, which only membership roles may have.
            var scope = binding.ScopeJson is null ? null : Json.Deserialize<BindingScope>(binding.ScopeJson);
            // A scheduled window keeps its start; the new duration counts from it.
            var window = ExpiryRules.Resolve(binding.Role, binding.StartsAt is { } start && start > now ? start : null, request.ExpiresAt, request.Duration, now,
                await ExpiryRules.MaximumForAsync(db, binding.ProjectId, scope, ct));
            var expiresAt = window.ExpiresAt;
            if (expiresAt != binding.ExpiresAt)
            {
                binding.ExpiresAt = expiresAt;
                // The expiring-soon notice belongs to the old expiry; the new one earns its own.
                binding.ExpiringSoonNotifiedAt = null;
            }
        }
        if (reason is not null) binding.Reason = reason.Length == 0 ? null : reason;

        var namer = await Principals.NamerAsync(db, [binding], ct);
        var (principal, createdBy) = namer(binding);
        audit.Add(db, actor, "binding.update", CreateBinding.BindingResource(binding), AuditLog.Success, new
        {
            bindingId,
            principal,
            role = binding.Role,
            previousExpiresAt = before.ExpiresAt,
            expiresAt = binding.ExpiresAt,
            previousReason = before.Reason,
            reason = binding.Reason,
        });
        await db.SaveChangesAsync(ct);
        // An earlier end narrows access; a later one does not.
        var narrowed = binding.ExpiresAt is { } end && (before.ExpiresAt is not { } was || end < was);
        await accessChanged.AfterCommitAsync(binding.PrincipalType, binding.PrincipalId, narrowed, ct);
        return BindingDto.From(binding, principal, createdBy, now);
    }
}
