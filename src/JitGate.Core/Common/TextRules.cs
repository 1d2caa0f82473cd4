namespace JitGate.Core.Common;

/// <summary>
/// What a text field may hold: no C0 or C1 control characters (a newline, a tab and a CR before a
/// newline only where the text is multi-line: reasons, comments, statements, conditions) and no
/// bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069), which make
/// text display differently from what it says (Unicode TR #9; CVE-2021-42574 "Trojan Source"). A CR/LF in
/// a name or secret could also split a header or a log line.
/// </summary>
public static class TextRules
{
    /// <summary>Field names, in any request, whose text may span lines.</summary>
    public static readonly IReadOnlySet<string> MultiLineFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "reason", "comment", "statement", "condition",
        // PEM text (an audit sink's TLS material) is lines of base64.
        "caCertificate", "clientCertificate", "clientKey",
    };

    /// <summary>The position and code of the first character <paramref name="text"/> may not hold, or null when it is clean.</summary>
    public static (int Position, int Code)? FirstRefused(string text, bool multiLine)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var refused = c switch
            {
                '\n' or '\t' => !multiLine,
                '\r' => !multiLine || i + 1 >= text.Length || text[i + 1] != '\n',
                < ' ' => true,
                >= '\u007f' and <= '\u009f' => true,
                >= '\u202a' and <= '\u202e' => true,
                >= '\u2066' and <= '\u2069' => true,
                _ => false,
            };
            if (refused) return (i, c);
        }
        return null;
    }

    /// <summary>Returns <paramref name="text"/> when it is clean.</summary>
    /// <exception cref="ApiProblem">400 <c>invalid-text</c> naming <paramref name="field"/>, the character and where it is.</exception>
    public static string? Check(string field, string? text, bool? multiLine = null)
    {
        if (text is null) return null;
        return FirstRefused(text, multiLine ?? MultiLineFields.Contains(field)) is { } bad ? throw Invalid(field, bad.Position, bad.Code) : text;
    }

    /// <summary>The 400 <c>invalid-text</c> problem.</summary>
    public static ApiProblem Invalid(string field, int position, int code) =>
        new(400, "invalid-text", "Invalid text",
            $"{field} holds a character it may not (U+{code:X4} at position {position + 1}): control characters"
            + (MultiLineFields.Contains(field.Split('.', '[')[^1].TrimEnd(']')) ? " other than newline and tab" : "")
            + " and bidirectional override characters are refused.",
            new Dictionary<string, object?> { ["field"] = field });
}

/// <summary>Thrown by the JSON reader for a string that <see cref="TextRules"/> refuses; answered as 400 <c>invalid-text</c>.</summary>
public sealed class InvalidTextException : System.Text.Json.JsonException
{
    public InvalidTextException() { }
    public InvalidTextException(string message) : base(message) { }
    public InvalidTextException(string message, Exception inner) : base(message, inner) { }

    public int Position { get; init; }
    public int Code { get; init; }
}

/// <summary>Reads JSON strings through <see cref="TextRules"/>: single-line unless the converter was made for a multi-line field.</summary>
public sealed class TextJsonConverter(bool multiLine) : System.Text.Json.Serialization.JsonConverter<string>
{
    /// <summary>For every string not in a multi-line field.</summary>
    public static readonly TextJsonConverter SingleLine = new(false);

    /// <summary>For the fields of <see cref="TextRules.MultiLineFields"/>.</summary>
    public static readonly TextJsonConverter MultiLine = new(true);

    public override bool HandleNull => false;

    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        if (reader.TokenType != System.Text.Json.JsonTokenType.String)
        {
            // With no message of its own, the serializer's names the path and the expected type.
            throw new System.Text.Json.JsonException();
        }
        var text = reader.GetString()!;
        return TextRules.FirstRefused(text, multiLine) is { } bad
            ? throw new InvalidTextException("refused character") { Position = bad.Position, Code = bad.Code }
            : text;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string value, System.Text.Json.JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
