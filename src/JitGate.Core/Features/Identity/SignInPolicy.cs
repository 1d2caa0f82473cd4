using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Identity;

/// <summary>
/// Who may sign in how: a disabled user not at all; with password sign-in turned off, only the
/// break-glass admin with a password (everyone else through single sign-on).
/// </summary>
public static class SignInPolicy
{
    /// <summary>403 <c>password-sign-in-off</c> unless passwords are on or <paramref name="email"/> is the break-glass admin's.</summary>
    /// <exception cref="ApiProblem">Password sign-in is off for this e-mail.</exception>
    public static async Task RequirePasswordAllowedAsync(JitGateDb db, string email, CancellationToken ct)
    {
        if (await WorkspaceSettingsStore.PasswordSignInAsync(db, ct)) return;
        var breakGlass = await WorkspaceSettingsStore.ValueAsync(db, WorkspaceSettingsStore.BreakGlassAdminKey, ct);
        if (breakGlass is not null && string.Equals(breakGlass, email, StringComparison.Ordinal)) return;
        throw PasswordSignInOff();
    }

    public static ApiProblem PasswordSignInOff() =>
        new(403, "password-sign-in-off", "Password sign-in is off",
            "This workspace signs in through single sign-on (/account/login/oidc); passwords work only for its break-glass admin.");

    /// <summary>403 <c>account-disabled</c> for a user an admin disabled.</summary>
    /// <exception cref="ApiProblem">The user is disabled.</exception>
    public static void RequireEnabled(User user)
    {
        if (user.DisabledAt is not null)
        {
            throw new ApiProblem(403, "account-disabled", "Account disabled", "A workspace admin has disabled this account; ask them to enable it.");
        }
    }
}
