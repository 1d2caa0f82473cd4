using System.Text.Json;
using System.Text.RegularExpressions;
using JitGate.Core.Common;

namespace JitGate.Server;

/// <summary>
/// Turns what the framework says about unreadable input into a problem that names the field and what it
/// expects, in the API's words: never a .NET type name, never a stack trace.
/// </summary>
internal static partial class BadRequestProblem
{
    /// <summary>The problem for a request the framework could not bind.</summary>
    public static ApiProblem From(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new ApiProblem(413, "too-large", "Request too large", "The request body is larger than JitGate accepts (4 MiB).");
        }
        if (bad.InnerException is InvalidTimeException time)
        {
            return Rfc3339.Invalid(Field(time.Path), time.Text);
        }
        if (bad.InnerException is InvalidTextException text)
        {
            return TextRules.Invalid(Field(text.Path), text.Position, text.Code);
        }
        if (bad.InnerException is JsonException json)
        {
            return FromJson(json);
        }
        if (BindFailure().Match(bad.Message) is { Success: true } bind)
        {
            var name = bind.Groups["name"].Value;
            return Invalid($"The parameter '{name}' must be {Expectation(bind.Groups["type"].Value)}; '{Shorten(bind.Groups["value"].Value)}' is not.", name);
        }
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return new ApiProblem(415, "unsupported-media-type", "Unsupported media type", "Send the body as JSON with Content-Type: application/json.");
        }
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            return new ApiProblem(400, "invalid-request", "Invalid request", "This call needs a JSON body; none was sent.");
        }
        return new ApiProblem(bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, "invalid-request", "Invalid request", "The request could not be read.");
    }

    private static ApiProblem FromJson(JsonException json)
    {
        var field = Field(json.Path);
        if (Conversion().Match(json.Message) is { Success: true } conversion)
        {
            var expected = Expectation(conversion.Groups["type"].Value);
            return Invalid(field.Length == 0 ? $"The request body must be {expected}." : $"{field} must be {expected}.", field);
        }
        var where = json.LineNumber is { } line ? $" (line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1})" : "";
        return Invalid($"The request body is not valid JSON{where}.", field);
    }

    private static ApiProblem Invalid(string detail, string field) =>
        new(400, "invalid-request", "Invalid request", detail,
            new Dictionary<string, object?> { ["field"] = field.Length == 0 ? null : field });

    /// <summary>"$.scope.tables[0]" as the API names it: "scope.tables[0]".</summary>
    private static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>What a value of a .NET type looks like in JSON or a query string.</summary>
    private static string Expectation(string type)
    {
        var t = NullableOf().Match(type) is { Success: true } m ? m.Groups[1].Value : type.TrimEnd('?');
        return t switch
        {
            _ when t.EndsWith("Int32", StringComparison.Ordinal) || t.EndsWith("Int64", StringComparison.Ordinal) || t is "int" or "long" => "a whole number",
            _ when t.EndsWith("Double", StringComparison.Ordinal) || t.EndsWith("Decimal", StringComparison.Ordinal) || t is "double" or "decimal" => "a number",
            _ when t.EndsWith("Boolean", StringComparison.Ordinal) || t is "bool" => "true or false",
            _ when t.EndsWith("String", StringComparison.Ordinal) || t is "string" => "a string",
            _ when t.EndsWith("DateTimeOffset", StringComparison.Ordinal) => $"an RFC 3339 time with an offset, such as {Rfc3339.Example}",
            _ when t.Contains("List", StringComparison.Ordinal) || t.EndsWith("[]", StringComparison.Ordinal) || t.Contains("IEnumerable", StringComparison.Ordinal) => "an array",
            _ when t.Contains("Dictionary", StringComparison.Ordinal) => "an object",
            _ => "an object",
        };
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex(@"could not be converted to (?<type>[^\s]+?)\.? Path:", RegexOptions.CultureInvariant)]
    private static partial Regex Conversion();

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$", RegexOptions.CultureInvariant)]
    private static partial Regex NullableOf();

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ ]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex BindFailure();
}
