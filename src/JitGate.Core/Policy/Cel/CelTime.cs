using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// Timestamps and durations (cel-spec langdef "Timestamps and durations"): <c>timestamp("RFC 3339")</c>,
/// <c>duration("1h30m")</c> in Go's duration syntax, and the <c>getHours()</c> family with an optional
/// time zone (an IANA name or a fixed offset such as <c>"+05:30"</c>). Timestamps span the years 1 to 9999.
/// </summary>
internal static partial class CelTime
{
    private static readonly DateTimeOffset Min = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Max = new(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero);

    public static DateTimeOffset Check(DateTimeOffset t) =>
        t < Min || t > Max ? throw new CelEvaluationException("timestamp out of range") : t;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    public static DateTimeOffset ParseTimestamp(string s)
    {
        if (!Rfc3339().IsMatch(s)) throw new CelEvaluationException($"timestamp('{s}'): not an RFC 3339 time");
        // .NET keeps 7 fractional digits; CEL allows 9, of which the last two cannot be represented.
        var trimmed = FractionTail().Replace(s, m => m.Value[..8]);
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t)
            ? Check(t.ToUniversalTime())
            : throw new CelEvaluationException($"timestamp('{s}'): not an RFC 3339 time");
    }

    [GeneratedRegex(@"\.\d{8,9}", RegexOptions.CultureInvariant)]
    private static partial Regex FractionTail();

    [GeneratedRegex(@"^([+-])?((\d+(\.\d*)?|\.\d+)(h|m|s|ms|us|µs|ns))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)", RegexOptions.CultureInvariant)]
    private static partial Regex GoDurationPart();

    public static TimeSpan ParseDuration(string s)
    {
        if (s == "0") return TimeSpan.Zero;
        if (!GoDuration().IsMatch(s)) throw new CelEvaluationException($"duration('{s}'): not a duration such as 1h30m or 2.5s");
        decimal seconds = 0;
        foreach (Match m in GoDurationPart().Matches(s))
        {
            if (!decimal.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n > 1e15m)
            {
                throw new CelEvaluationException($"duration('{s}'): out of range");
            }
            seconds += m.Groups[2].Value switch
            {
                "h" => n * 3600,
                "m" => n * 60,
                "s" => n,
                "ms" => n / 1000,
                "us" or "µs" => n / 1_000_000,
                _ => n / 1_000_000_000,
            };
        }
        if (s[0] == '-') seconds = -seconds;
        if (Math.Abs(seconds) > 315_576_000_000m) throw new CelEvaluationException($"duration('{s}'): out of range");
        return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    public static string FormatDuration(TimeSpan d)
    {
        var seconds = (decimal)d.Ticks / TimeSpan.TicksPerSecond;
        return seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    public static string FormatTimestamp(DateTimeOffset t)
    {
        var sb = new StringBuilder(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        var fraction = t.UtcDateTime.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0) sb.Append('.').Append(fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        return sb.Append('Z').ToString();
    }

    /// <summary>The local time of a timestamp in a zone: UTC when none is given.</summary>
    public static DateTime InZone(DateTimeOffset t, string? zone)
    {
        if (zone is null) return t.UtcDateTime;
        try
        {
            if (zone.Length > 0 && zone[0] is '+' or '-' && TimeSpan.TryParseExact(zone[1..], @"hh\:mm", CultureInfo.InvariantCulture, out var offset))
            {
                return t.UtcDateTime + (zone[0] == '-' ? -offset : offset);
            }
            return TimeZoneInfo.ConvertTimeFromUtc(t.UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById(zone));
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CelEvaluationException("timestamp out of range in that time zone");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new CelEvaluationException($"unknown time zone '{zone}'");
        }
    }

    /// <summary>The timestamp accessors; months and days of the week count from 0, days of the month from 1 with getDate.</summary>
    public static long Get(string function, DateTimeOffset t, string? zone)
    {
        var local = InZone(t, zone);
        return function switch
        {
            "getFullYear" => local.Year,
            "getMonth" => local.Month - 1,
            "getDate" => local.Day,
            "getDayOfMonth" => local.Day - 1,
            "getDayOfWeek" => (long)local.DayOfWeek,
            "getDayOfYear" => local.DayOfYear - 1,
            "getHours" => local.Hour,
            "getMinutes" => local.Minute,
            "getSeconds" => local.Second,
            _ => local.Millisecond,
        };
    }

    public static readonly IReadOnlySet<string> Accessors = new HashSet<string>
    {
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
    };

    /// <summary>Accessors on a duration: the whole span in hours, minutes, seconds or milliseconds.</summary>
    public static long Get(string function, TimeSpan d) => function switch
    {
        "getHours" => (long)d.TotalHours,
        "getMinutes" => (long)d.TotalMinutes,
        "getSeconds" => (long)d.TotalSeconds,
        "getMilliseconds" => d.Milliseconds,
        _ => throw CelOperators.NoOverload(function, d),
    };
}
