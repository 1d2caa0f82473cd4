using System.Xml;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Settings;

/// <summary>Typed reads of the workspace settings table, with their defaults.</summary>
public static class WorkspaceSettingsStore
{
    public const string SignupOpenKey = "signupOpen";
    public const string MaxAccessDurationKey = "maxAccessDuration";
    public static readonly TimeSpan DefaultMaxAccessDuration = TimeSpan.FromDays(30);

    public static async Task<bool> SignupOpenAsync(JitGateDb db, CancellationToken ct) =>
        await ValueAsync(db, SignupOpenKey, ct) == "true";

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
}
