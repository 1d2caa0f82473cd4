using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Settings;

/// <summary>
/// The workspace's settings. <c>passwordSignIn</c> false leaves single sign-on as the way in, except for the
/// <c>breakGlassAdmin</c> (an admin's e-mail) who keeps their password; <c>defaultWorkspaceRole</c> is the role
/// of a user created at their first single sign-on.
/// </summary>
public sealed record WorkspaceSettingsDto(bool SignupOpen, string MaxAccessDuration, bool PasswordSignIn, string? BreakGlassAdmin, string DefaultWorkspaceRole);

/// <summary>Body of <c>PUT /settings/workspace</c>: absent fields stay; <c>breakGlassAdmin: ""</c> clears it.</summary>
public sealed record UpdateWorkspaceSettingsRequest(
    bool? SignupOpen, string? MaxAccessDuration, bool? PasswordSignIn = null, string? BreakGlassAdmin = null, string? DefaultWorkspaceRole = null);

/// <summary>Self-signup, the longest access a grant or request may give, and how people sign in.</summary>
public sealed class WorkspaceSettings(JitGateDb db, AuditLog audit, SecretBox secrets, IOptions<JitGateOptions> options)
{
    public static readonly TimeSpan Ceiling = TimeSpan.FromDays(366);

    public async Task<WorkspaceSettingsDto> GetAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        return await ReadAsync(ct);
    }

    /// <exception cref="ApiProblem">403 for anyone but an admin; 400 naming the field that is not valid.</exception>
    public async Task<WorkspaceSettingsDto> UpdateAsync(Actor actor, UpdateWorkspaceSettingsRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        if (request.SignupOpen is { } open) await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.SignupOpenKey, open ? "true" : "false", ct);
        if (request.MaxAccessDuration is { } text)
        {
            if (!Durations.TryParse(text, out var max) || max <= TimeSpan.Zero || max > Ceiling)
            {
                throw ApiProblem.Validation("maxAccessDuration must be an ISO 8601 duration between PT1M and P366D, such as P30D.");
            }
            await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.MaxAccessDurationKey, Durations.Format(max), ct);
        }
        if (request.DefaultWorkspaceRole is { } role)
        {
            // An identity provider's every user becoming an admin at first sign-in is never what is meant.
            if (role is not (WorkspaceRoles.Member or WorkspaceRoles.Dba))
            {
                throw Invalid("defaultWorkspaceRole", $"defaultWorkspaceRole must be {WorkspaceRoles.Member} or {WorkspaceRoles.Dba}.");
            }
            await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.DefaultWorkspaceRoleKey, role, ct);
        }
        await UpdateSignInAsync(request, ct);
        audit.Add(db, actor, "settings.workspace.update", "settings/workspace", AuditLog.Success, request);
        await db.SaveChangesAsync(ct);
        return await ReadAsync(ct);
    }

    private async Task UpdateSignInAsync(UpdateWorkspaceSettingsRequest request, CancellationToken ct)
    {
        var breakGlass = await WorkspaceSettingsStore.ValueAsync(db, WorkspaceSettingsStore.BreakGlassAdminKey, ct);
        if (request.BreakGlassAdmin is { } email)
        {
            breakGlass = email.Trim().Length == 0 ? null : email.Trim().ToLowerInvariant();
            if (breakGlass is not null)
            {
                var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == breakGlass, ct);
                if (user is null || user.WorkspaceRole != WorkspaceRoles.Admin || user.IsServiceAccount || user.DisabledAt is not null || user.PasswordHash.Length == 0)
                {
                    throw Invalid("breakGlassAdmin", "breakGlassAdmin must be the e-mail of an enabled workspace admin who has a password.");
                }
                await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.BreakGlassAdminKey, breakGlass, ct);
            }
            else
            {
                await WorkspaceSettingsStore.RemoveAsync(db, WorkspaceSettingsStore.BreakGlassAdminKey, ct);
            }
        }
        var passwordSignIn = request.PasswordSignIn ?? await WorkspaceSettingsStore.PasswordSignInAsync(db, ct);
        if (!passwordSignIn)
        {
            if (await OidcConfig.ReadAsync(db, options.Value.Oidc, secrets, ct) is null)
            {
                throw Invalid("passwordSignIn", "Set up single sign-on (PUT /settings/oidc) before turning password sign-in off, or nobody could sign in.");
            }
            if (breakGlass is null)
            {
                throw Invalid("breakGlassAdmin", "Name a break-glass admin (breakGlassAdmin: an admin's e-mail) who keeps their password while password sign-in is off.");
            }
        }
        if (request.PasswordSignIn is { } on) await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.PasswordSignInKey, on ? "true" : "false", ct);
    }

    private static ApiProblem Invalid(string field, string detail) =>
        ApiProblem.Validation(detail, new Dictionary<string, object?> { ["field"] = field });

    private async Task<WorkspaceSettingsDto> ReadAsync(CancellationToken ct) =>
        new(await WorkspaceSettingsStore.SignupOpenAsync(db, ct), Durations.Format(await WorkspaceSettingsStore.MaxAccessDurationAsync(db, ct)),
            await WorkspaceSettingsStore.PasswordSignInAsync(db, ct), await WorkspaceSettingsStore.ValueAsync(db, WorkspaceSettingsStore.BreakGlassAdminKey, ct),
            await WorkspaceSettingsStore.DefaultWorkspaceRoleAsync(db, ct));
}
