using System.Globalization;

namespace JitGate.Server.Components;

/// <summary>
/// The signed-in person's time zone, as their browser reports it (a cookie the page sets, read when the
/// console loads): times are shown and entered in it, with UTC on hover. UTC until it is known.
/// </summary>
public sealed class BrowserTime
{
    /// <summary>The cookie that carries the browser's IANA time zone name.</summary>
    public const string Cookie = "jg-tz";

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>True once the browser's zone has been applied.</summary>
    public bool Known { get; private set; }

    /// <summary>Takes the browser's zone name; an unknown name leaves UTC.</summary>
    public bool TrySet(string? ianaName)
    {
        if (string.IsNullOrWhiteSpace(ianaName) || !TimeZoneInfo.TryFindSystemTimeZoneById(ianaName, out var zone)) return false;
        Zone = zone;
        Known = true;
        return true;
    }

    /// <summary>"2026-11-25 09:00 UTC+1": the moment in the browser's zone, with its offset.</summary>
    public string Format(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        return local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + Offset(local.Offset);
    }

    /// <summary>"2026-11-25 08:00:00 UTC": what shows on hover.</summary>
    public static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The value for an HTML datetime-local input, in the browser's zone.</summary>
    public string ToInput(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    /// <summary>A datetime-local input's text, read in the browser's zone; null when it is not a time.</summary>
    public DateTimeOffset? FromInput(string? text)
    {
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return null;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>"UTC", "UTC+1", "UTC+5:30", "UTC-3".</summary>
    public static string Offset(TimeSpan offset)
    {
        if (offset == TimeSpan.Zero) return "UTC";
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var abs = offset.Duration();
        return abs.Minutes == 0 ? $"UTC{sign}{abs.Hours}" : $"UTC{sign}{abs.Hours}:{abs.Minutes:00}";
    }
}
