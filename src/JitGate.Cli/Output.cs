using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JitGate.Cli;

/// <summary>What the CLI prints: JSON for scripts (--json), aligned tables and plain sentences for people.</summary>
internal static class Output
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Json(JsonNode? node) => Console.Out.WriteLine(node?.ToJsonString(JsonOptions) ?? "null");

    public static void Line(string text) => Console.Out.WriteLine(text);

    /// <summary>Notes for the person (progress, when access ends) go to stderr, so stdout stays the answer.</summary>
    public static void Note(string text) => Console.Error.WriteLine(text);

    /// <summary>Columns padded to their widest cell, as psql prints them.</summary>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join(" | ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in all)
        {
            text.AppendLine(string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
        return text.ToString();
    }

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.</summary>
    public static string Csv(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        static string Field(string value) =>
            value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
        var text = new StringBuilder();
        text.Append(string.Join(',', headers.Select(Field))).Append("\r\n");
        foreach (var row in rows) text.Append(string.Join(',', row.Select(Field))).Append("\r\n");
        return text.ToString();
    }

    /// <summary>A JSON value as a cell: strings as they are, null as empty, anything else as JSON.</summary>
    public static string Cell(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    /// <summary>"3h 59m", "12m", "45s": how long until <paramref name="until"/>.</summary>
    public static string Left(DateTimeOffset until, DateTimeOffset now)
    {
        var left = until - now;
        if (left <= TimeSpan.Zero) return "ended";
        if (left.TotalDays >= 1) return $"{(int)left.TotalDays}d {left.Hours}h";
        if (left.TotalHours >= 1) return $"{(int)left.TotalHours}h {left.Minutes}m";
        return left.TotalMinutes >= 1 ? $"{(int)left.TotalMinutes}m" : $"{Math.Max(1, (int)left.TotalSeconds)}s";
    }

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
