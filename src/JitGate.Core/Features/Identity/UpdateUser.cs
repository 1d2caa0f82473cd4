using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Query;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

/// <summary>Body of <c>PATCH /users/{id}</c>; absent fields stay. <c>disabled: true</c> ends every session and token of the user.</summary>
public sealed record UpdateUserRequest(string? Name, string? WorkspaceRole, bool? Disabled = null);

/// <summary>
/// An admin renames a user, changes their workspace role, or disables them (and enables them again). The last
/// admin cannot be demoted or disabled, nor can the break-glass admin while password sign-in is off. A disabled
/// user signs in neither with a password nor through single sign-on, their tokens end at once, and their
/// access stops counting (engine roles lose it) until they are enabled.
/// </summary>
public sealed class UpdateUser(JitGateDb db, AuditLog audit, TokenValidator tokens, AccessChanged accessChanged, TimeProvider clock)
{
    /// <exception cref="ApiProblem">403 for anyone but an admin; 404 for an unknown user; 409 for the last admin or the break-glass admin; 400 for a bad field.</exception>
    public async Task<UserDto> HandleAsync(Actor actor, long userId, UpdateUserRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw ApiProblem.NotFound($"User {userId}");
        if (request.Name is not null) user.Name = IdentityRules.RequireName(request.Name);
        var losesAdmin = (request.WorkspaceRole is { } r && r != WorkspaceRoles.Admin) || request.Disabled == true;
        if (user.WorkspaceRole == WorkspaceRoles.Admin && user.DisabledAt is null && losesAdmin)
        {
            if (await db.Users.CountAsync(u => u.WorkspaceRole == WorkspaceRoles.Admin && u.DisabledAt == null, ct) == 1)
            {
                throw ApiProblem.Conflict("This is the last workspace admin; make someone else an admin first.");
            }
            if (!await WorkspaceSettingsStore.PasswordSignInAsync(db, ct)
                && await WorkspaceSettingsStore.ValueAsync(db, WorkspaceSettingsStore.BreakGlassAdminKey, ct) == user.Email)
            {
                throw ApiProblem.Conflict("This is the break-glass admin while password sign-in is off; name another one first (PUT /settings/workspace).");
            }
        }
        if (request.WorkspaceRole is not null) user.WorkspaceRole = IdentityRules.RequireWorkspaceRole(request.WorkspaceRole);

        var disabling = request.Disabled == true && user.DisabledAt is null;
        var enabling = request.Disabled == false && user.DisabledAt is not null;
        if (disabling && user.Id == actor.UserId) throw ApiProblem.Conflict("You cannot disable yourself.");
        var now = clock.GetUtcNow();
        if (disabling)
        {
            user.DisabledAt = now;
            await db.ApiTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null).ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now), ct);
        }
        if (enabling) user.DisabledAt = null;
        audit.Add(db, actor, disabling ? "user.disable" : enabling ? "user.enable" : "user.update", $"user:{user.Email}", AuditLog.Success,
            new { request.Name, request.WorkspaceRole, request.Disabled });
        await db.SaveChangesAsync(ct);
        if (disabling) tokens.ForgetAll();
        // Disabling takes access away (running queries stop, engine logins lose it); enabling gives it back.
        await accessChanged.AfterCommitAsync([user.Id], narrowed: disabling, ct);
        return UserDto.From(user);
    }
}
