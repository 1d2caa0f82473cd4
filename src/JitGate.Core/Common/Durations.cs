using System.Xml;

namespace JitGate.Core.Common;

/// <summary>
/// ISO 8601 durations (PT4H, P1D) as the API speaks them: at least one second (<c>PT1S</c>) and at most
/// <see cref="Longest"/>, written without spaces. Years count 365 days and months 30, as
/// <see cref="XmlConvert.ToTimeSpan(string)"/> (XML Schema's <c>duration</c>) reads them.
/// </summary>
public static class Durations
{
    /// <summary>The shortest duration accepted anywhere: one second.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);

    /// <summary>The longest duration accepted anywhere (100 years); each use applies its own, shorter maximum.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36_500);

    /// <summary>An accepted example, shown in refusals.</summary>
    public const string Examples = "PT30M, PT4H or P1D";

    /// <summary>True when <paramref name="text"/> is a duration between <see cref="Shortest"/> and <see cref="Longest"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        return Problem(text, out value) is null;
    }

    /// <summary>Parses the named field's duration.</summary>
    /// <exception cref="ApiProblem">400 <c>validation</c> naming <paramref name="field"/> and saying what it expects.</exception>
    public static TimeSpan Parse(string field, string? text) =>
        Problem(text, out var value) is { } problem
            ? throw ApiProblem.Validation($"{field} {problem}", new Dictionary<string, object?> { ["field"] = field })
            : value;

    /// <summary>Why <paramref name="text"/> is refused, as the end of a sentence that starts with the field's name; null when it is accepted.</summary>
    private static string? Problem(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length > 40 || text.Any(char.IsWhiteSpace) || text.Any(char.IsControl))
        {
            return $"must be an ISO 8601 duration such as {Examples}, with no spaces.";
        }
        try
        {
            value = XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            return $"must be an ISO 8601 duration such as {Examples}; '{text}' is not one.";
        }
        catch (OverflowException)
        {
            return $"'{text}' is too long: at most {Format(Longest)}.";
        }
        if (value < Shortest) return $"must be at least one second (PT1S); '{text}' is shorter.";
        if (value > Longest) return $"'{text}' is too long: at most {Format(Longest)}.";
        return null;
    }

    /// <summary>The ISO 8601 text of <paramref name="value"/>, as the API writes it (P30D, PT4H).</summary>
    public static string Format(TimeSpan value) => XmlConvert.ToString(value);
}
