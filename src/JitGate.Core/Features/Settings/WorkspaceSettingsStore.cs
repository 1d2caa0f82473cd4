using System.Xml;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Settings;

/// <summary>Typed reads of the workspace settings table, with their defaults.</summary>
public static class WorkspaceSettingsStore
{
    public const string SignupOpenKey = "signupOpen";
    public const string MaxAccessDurationKey = "maxAccessDuration";
    public const string PasswordSignInKey = "passwordSignIn";
    public const string BreakGlassAdminKey = "breakGlassAdmin";
    public const string DefaultWorkspaceRoleKey = "defaultWorkspaceRole";
    public static readonly TimeSpan DefaultMaxAccessDuration = TimeSpan.FromDays(30);

    public static async Task<bool> SignupOpenAsync(JitGateDb db, CancellationToken ct) =>
        await ValueAsync(db, SignupOpenKey, ct) == "true";

    /// <summary>Whether e-mail and password sign in (true unless an admin turned it off for single sign-on).</summary>
    public static async Task<bool> PasswordSignInAsync(JitGateDb db, CancellationToken ct) =>
        await ValueAsync(db, PasswordSignInKey, ct) != "false";

    /// <summary>The workspace role of a user created at their first single sign-on (workspaceMember unless set).</summary>
    public static async Task<string> DefaultWorkspaceRoleAsync(JitGateDb db, CancellationToken ct) =>
        await ValueAsync(db, DefaultWorkspaceRoleKey, ct) ?? Domain.WorkspaceRoles.Member;

    /// <summary>The longest expiry a grant or request may have, counted from now.</summary>
    public static async Task<TimeSpan> MaxAccessDurationAsync(JitGateDb db, CancellationToken ct) =>
        await ValueAsync(db, MaxAccessDurationKey, ct) is { } v ? XmlConvert.ToTimeSpan(v) : DefaultMaxAccessDuration;

    public static Task<string?> ValueAsync(JitGateDb db, string key, CancellationToken ct) =>
        db.Settings.AsNoTracking().Where(s => s.Key == key).Select(s => s.Value).FirstOrDefaultAsync(ct);

    public static async Task SetAsync(JitGateDb db, string key, string value, CancellationToken ct)
    {
        var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == key, ct);
        if (row is null) db.Settings.Add(new() { Key = key, Value = value });
        else row.Value = value;
    }

    /// <summary>Removes a setting in the unit of work (saved by the caller).</summary>
    public static async Task RemoveAsync(JitGateDb db, string key, CancellationToken ct)
    {
        if (await db.Settings.FirstOrDefaultAsync(s => s.Key == key, ct) is { } row) db.Settings.Remove(row);
    }
}
