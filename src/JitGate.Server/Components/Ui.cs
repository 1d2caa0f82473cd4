using System.Globalization;
using JitGate.Core.Domain;
using MudBlazor;

namespace JitGate.Server.Components;

/// <summary>How the console words and colours things, in one place.</summary>
public static class Ui
{
    public static string RoleTitle(string role) => role switch
    {
        ProjectRoles.Owner => "Project Owner",
        ProjectRoles.Developer => "Project Developer",
        ProjectRoles.SqlEditorUser => "SQL Editor User",
        WorkspaceRoles.Admin => "Workspace Admin",
        WorkspaceRoles.Dba => "Workspace DBA",
        WorkspaceRoles.Member => "Workspace Member",
        _ when role.StartsWith("group:", StringComparison.Ordinal) => "Members of " + role["group:".Length..],
        _ => role,
    };

    public static Color EnvironmentColor(string environment) => environment switch
    {
        "prod" => Color.Error,
        "test" => Color.Success,
        _ => Color.Default,
    };

    public static string EnvironmentTitle(string environment) => environment switch
    {
        "prod" => "Prod",
        "test" => "Test",
        _ => environment,
    };

    public static Color RiskColor(string level) => level switch
    {
        "high" => Color.Error,
        "moderate" => Color.Warning,
        _ => Color.Success,
    };

    public static Color StatusColor(string status) => status switch
    {
        "active" or "approved" => Color.Success,
        "pendingApproval" or "pending" => Color.Warning,
        "rejected" or "denied" or "failure" => Color.Error,
        _ => Color.Default,
    };

    public static string StatusTitle(string status) => status switch
    {
        "pendingApproval" => "Pending approval",
        _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(status),
    };

    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"in 3 h", "in 25 min", "2 d ago": how far a moment is from now.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var span = at - now;
        var future = span >= TimeSpan.Zero;
        var abs = span.Duration();
        string text = abs.TotalMinutes < 1 ? "less than a minute"
            : abs.TotalHours < 1 ? $"{(int)abs.TotalMinutes} min"
            : abs.TotalDays < 2 ? $"{(int)Math.Round(abs.TotalHours)} h"
            : $"{(int)Math.Round(abs.TotalDays)} d";
        return future ? "in " + text : text + " ago";
    }

    /// <summary>An ISO 8601 duration as people say it: "4 h", "1 d", "30 min".</summary>
    public static string Duration(string iso)
    {
        if (!JitGate.Core.Common.Durations.TryParse(iso, out var span)) return iso;
        return span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} d"
            : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0} h"
            : $"{span.TotalMinutes:0} min";
    }

    public static string Expiry(DateTimeOffset? at, DateTimeOffset now) =>
        at is { } e ? $"{Date(e)} ({Relative(e, now)})" : "Never";

    public static string Principal(string principal) =>
        principal.StartsWith("user:", StringComparison.Ordinal) ? principal["user:".Length..] : principal;

    /// <summary>Expiration choices offered when granting or requesting access.</summary>
    public static readonly IReadOnlyList<(string Label, string? Duration)> ExpirationPresets =
    [
        ("1 hour", "PT1H"),
        ("4 hours", "PT4H"),
        ("1 day", "P1D"),
        ("7 days", "P7D"),
        ("Custom", "custom"),
    ];
}
