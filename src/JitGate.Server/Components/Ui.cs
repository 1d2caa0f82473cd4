using System.Globalization;
using JitGate.Core.Domain;
using MudBlazor;

namespace JitGate.Server.Components;

/// <summary>How the console words and colours things, in one place.</summary>
public static partial class Ui
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
        "pendingApproval" or "pending" or "open" => Color.Warning,
        "scheduled" => Color.Info,
        "flagged" => Color.Error,
        "confirmed" => Color.Success,
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
        // A moment that is now (a request just made) reads as past: "less than a minute ago".
        var future = span > TimeSpan.Zero;
        var abs = span.Duration();
        string text = abs.TotalMinutes < 1 ? "less than a minute"
            : abs.TotalHours < 1 ? $"{(int)abs.TotalMinutes} min"
            : abs.TotalDays < 2 ? $"{(int)Math.Round(abs.TotalHours)} h"
            : $"{(int)Math.Round(abs.TotalDays)} d";
        return future ? "in " + text : text + " ago";
    }

    /// <summary>An ISO 8601 duration as people say it: "4 hours", "1 day", "30 days", "1 day 12 hours".</summary>
    public static string Duration(string iso) =>
        JitGate.Core.Common.Durations.TryParse(iso, out var span) ? Words(span) : iso;

    /// <summary>A length of time in words, its two largest units: "30 days", "2 hours 30 minutes", "45 seconds".</summary>
    public static string Words(TimeSpan span)
    {
        var parts = new List<string>();
        void Add(long n, string unit)
        {
            if (n > 0 && parts.Count < 2) parts.Add(n == 1 ? $"1 {unit}" : $"{n} {unit}s");
        }
        Add((long)span.TotalDays, "day");
        Add(span.Hours, "hour");
        Add(span.Minutes, "minute");
        if (parts.Count == 0 || (span.TotalMinutes < 1)) Add(span.Seconds, "second");
        return parts.Count == 0 ? "0 seconds" : string.Join(" ", parts);
    }

    /// <summary>
    /// A message from a use case as a person reads it in the console: ISO 8601 durations in words
    /// ("P30D" → "30 days") and API field names as what they stand for ("expiresAt" → "the expiry time").
    /// </summary>
    public static string Readable(string message)
    {
        if (string.IsNullOrEmpty(message)) return message;
        var text = IsoDuration().Replace(message, m => JitGate.Core.Common.Durations.TryParse(m.Value, out var span) ? Words(span) : m.Value);
        text = text.Replace("expiresAt", "the expiry time", StringComparison.Ordinal)
            .Replace("startsAt", "the start time", StringComparison.Ordinal);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bP(?=[0-9T])(?:[0-9.]+[YMWD])*(?:T(?:[0-9.]+[HMS])+)?\b")]
    private static partial System.Text.RegularExpressions.Regex IsoDuration();

    public static string Expiry(DateTimeOffset? at, DateTimeOffset now) =>
        at is { } e ? $"{Date(e)} ({Relative(e, now)})" : "Never";

    public static string Principal(string principal) =>
        principal.StartsWith("user:", StringComparison.Ordinal) ? principal["user:".Length..] : principal;

    /// <summary>Lengths offered for a setting: the presets up to <paramref name="max"/>, and the current value when it is none of them.</summary>
    public static List<string> DurationChoices(IEnumerable<string> presets, string? current, TimeSpan? max = null)
    {
        var list = presets.Where(p => max is null || (JitGate.Core.Common.Durations.TryParse(p, out var span) && span <= max)).ToList();
        if (current is not null && !list.Contains(current)) list.Add(current);
        return list.OrderBy(p => JitGate.Core.Common.Durations.TryParse(p, out var span) ? span : TimeSpan.MaxValue).ToList();
    }

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
