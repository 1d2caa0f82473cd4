using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace JitGate.Cli;

/// <summary>Durations as people type them (30m, 4h, 1d, 1h30m, 90s) or as ISO 8601 (PT4H), which JitGate's API takes.</summary>
internal static partial class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var value = text.Trim();
        if (value.StartsWith('P') || value.StartsWith('p'))
        {
            try
            {
                return XmlConvert.ToTimeSpan(value.ToUpperInvariant());
            }
            catch (FormatException)
            {
                throw Invalid(option, text);
            }
        }
        var match = Short().Match(value);
        if (!match.Success || match.Length == 0) throw Invalid(option, text);
        var span = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var number = double.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
            span += char.ToLowerInvariant(part.Value[^1]) switch
            {
                'd' => TimeSpan.FromDays(number),
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }
        return span > TimeSpan.Zero ? span : throw Invalid(option, text);
    }

    public static string ToIso(string text, string option) => XmlConvert.ToString(Parse(text, option));

    private static CliException Invalid(string option, string text) =>
        new(ExitCodes.Usage, $"{option} '{text}' is not a duration; write 30m, 4h, 1d, 1h30m or ISO 8601 such as PT4H.");

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?[dhmsDHMS])+$")]
    private static partial Regex Short();
}
