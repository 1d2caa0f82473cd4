using System.Globalization;
using System.Text.RegularExpressions;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Turns the text the server sends for each value into a JSON-friendly value. Results are requested in
/// text format, so any type the server can print arrives, exactly as the server prints it (with the
/// session settings the runner sets: DateStyle ISO, TimeZone UTC, IntervalStyle iso_8601). Mapping:
/// smallint, integer, bigint, oid → long; real, double → double (NaN and infinities stay strings);
/// numeric → decimal when it fits, otherwise the exact text; boolean → bool; bytea → byte[];
/// timestamp → "2024-01-31T12:00:00.5"; timestamptz → "2024-01-31T12:00:00.5Z"; everything else
/// (date, time, interval, uuid, json, arrays, ranges, ...) → the server's text.
/// </summary>
internal static partial class PostgresValues
{
    private const uint Bool = 16, Bytea = 17, Int8 = 20, Int2 = 21, Int4 = 23, Oid = 26;
    private const uint Float4 = 700, Float8 = 701, Timestamp = 1114, TimestampTz = 1184, Numeric = 1700;

    public static object Convert(uint typeOid, string text) => typeOid switch
    {
        Int2 or Int4 or Int8 or Oid when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        Float4 or Float8 when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        Numeric when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) => m,
        Bool => text == "t",
        Bytea when text.StartsWith("\\x", StringComparison.Ordinal) => System.Convert.FromHexString(text.AsSpan(2)),
        Timestamp when PlainTimestamp().IsMatch(text) => text.Replace(' ', 'T'),
        TimestampTz when UtcTimestamp().IsMatch(text) => text[..^3].Replace(' ', 'T') + "Z",
        _ => text,
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainTimestamp();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\+00$", RegexOptions.CultureInvariant)]
    private static partial Regex UtcTimestamp();
}
