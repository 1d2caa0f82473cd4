using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace JitGate.Core.Common;

/// <summary>
/// Times as the API speaks them: RFC 3339 date-times (section 5.6, <c>date-time</c>) that always carry
/// an offset, <c>Z</c> or <c>±hh:mm</c>. A time without one would otherwise be read in the server's own
/// time zone, so an answer would depend on where JitGate runs; it is refused instead.
/// </summary>
public static partial class Rfc3339
{
    /// <summary>An accepted example, shown in every refusal.</summary>
    public const string Example = "2026-12-01T05:58:45Z or 2026-12-01T14:58:45+09:00";

    /// <summary>Parses <paramref name="text"/>; false when it is not an RFC 3339 date-time with an offset.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || text.Length > 40 || !Shape().IsMatch(text)) return false;
        // The pattern guarantees the offset, so parsing never falls back to the local zone.
        return DateTimeOffset.TryParse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>Parses the named field's value, or refuses it.</summary>
    /// <exception cref="ApiProblem">400 <c>invalid-time</c> naming <paramref name="field"/> and showing an accepted example.</exception>
    public static DateTimeOffset Parse(string field, string text) =>
        TryParse(text, out var value) ? value : throw Invalid(field, text);

    /// <summary>The 400 <c>invalid-time</c> problem for <paramref name="field"/>.</summary>
    public static ApiProblem Invalid(string field, string? text) =>
        new(400, "invalid-time", "Invalid time",
            $"{field} must be an RFC 3339 time with a UTC offset, such as {Example}; '{Shorten(text)}' is not"
            + (text is not null && LooksLocal().IsMatch(text) ? " (it has no offset, so it could be any time zone's)." : "."),
            new Dictionary<string, object?> { ["field"] = field, ["example"] = "2026-12-01T05:58:45Z" });

    private static string Shorten(string? text) => text is null ? "null" : text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LooksLocal();
}

/// <summary>
/// Thrown when a JSON body holds a time that is not RFC 3339 with an offset; the server answers it as
/// 400 <c>invalid-time</c>. Derives from <see cref="JsonException"/> so the serializer adds the field's path.
/// </summary>
public sealed class InvalidTimeException : JsonException
{
    public InvalidTimeException() { }
    public InvalidTimeException(string message) : base(message) { }
    public InvalidTimeException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The text that was sent, or null when it was not a string.</summary>
    public string? Text { get; init; }
}

/// <summary>Reads <see cref="DateTimeOffset"/> values in JSON bodies strictly as <see cref="Rfc3339"/>; writes them as usual (ISO 8601 with offset).</summary>
public sealed class Rfc3339JsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return Rfc3339.TryParse(text, out var value)
            ? value
            : throw new InvalidTimeException("not an RFC 3339 time with an offset") { Text = text };
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
