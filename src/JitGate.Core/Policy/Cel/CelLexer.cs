using System.Globalization;
using System.Text;

namespace JitGate.Core.Policy.Cel;

internal enum CelTokenKind { End, Ident, Literal, Punct }

/// <summary>A token: an identifier, a literal (with its decoded <see cref="Value"/>) or punctuation such as <c>&amp;&amp;</c>.</summary>
internal readonly record struct CelToken(CelTokenKind Kind, int Position, string Text, object? Value = null);

/// <summary>
/// Splits an expression into tokens following cel-spec's langdef "Syntax" lexis: decimal and hex int
/// and uint literals, double literals, quoted, raw and triple-quoted strings and bytes with all their
/// escapes, <c>//</c> comments.
/// </summary>
internal static class CelLexer
{
    private static readonly string[] Punctuation =
        ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", "{", "}", ".", ",", ":", "?", "+", "-", "*", "/", "%"];

    public static List<CelToken> Tokenize(string text)
    {
        var tokens = new List<CelToken>();
        var i = 0;
        while (true)
        {
            i = SkipSpaceAndComments(text, i);
            if (i >= text.Length)
            {
                tokens.Add(new CelToken(CelTokenKind.End, text.Length, ""));
                return tokens;
            }
            var c = text[i];
            if (IsQuote(text, i))
            {
                tokens.Add(ReadString(text, ref i));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                var word = text[start..i];
                tokens.Add(word switch
                {
                    "true" => new CelToken(CelTokenKind.Literal, start, word, true),
                    "false" => new CelToken(CelTokenKind.Literal, start, word, false),
                    "null" => new CelToken(CelTokenKind.Literal, start, word, CelNull.Value),
                    _ => new CelToken(CelTokenKind.Ident, start, word),
                });
            }
            else
            {
                var p = Array.Find(Punctuation, p => string.CompareOrdinal(text, i, p, 0, p.Length) == 0)
                    ?? throw new CelException($"Unexpected character '{c}' at position {i + 1}.", i);
                tokens.Add(new CelToken(CelTokenKind.Punct, i, p));
                i += p.Length;
            }
        }
    }

    private static int SkipSpaceAndComments(string text, int i)
    {
        while (i < text.Length)
        {
            if (text[i] is ' ' or '\t' or '\n' or '\r' or '\f') i++;
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else break;
        }
        return i;
    }

    // A string starts with a quote, optionally after r/R (raw), b/B (bytes) or both in either order.
    private static bool IsQuote(string text, int i)
    {
        var j = i;
        for (var k = 0; k < 2 && j < text.Length && text[j] is 'r' or 'R' or 'b' or 'B'; k++) j++;
        if (j - i == 2 && char.ToLowerInvariant(text[i]) == char.ToLowerInvariant(text[i + 1])) return false;
        return j < text.Length && text[j] is '"' or '\'';
    }

    private static CelToken ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            var digits = i;
            while (i < text.Length && char.IsAsciiHexDigit(text[i])) i++;
            if (i == digits) throw new CelException($"Hexadecimal literal without digits at position {start + 1}.", start);
            var hex = text[digits..i];
            if (i < text.Length && text[i] is 'u' or 'U')
            {
                i++;
                return ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u)
                    ? new CelToken(CelTokenKind.Literal, start, text[start..i], u)
                    : throw OutOfRange(start);
            }
            return ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
                ? new CelToken(CelTokenKind.Literal, start, text[start..i], new IntLiteral(v))
                : throw OutOfRange(start);
        }
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        var isDouble = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var e = i + 1;
            if (e < text.Length && text[e] is '+' or '-') e++;
            if (e < text.Length && char.IsAsciiDigit(text[e]))
            {
                isDouble = true;
                i = e;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            }
        }
        var literal = text[start..i];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Literal, start, literal, double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        if (i < text.Length && text[i] is 'u' or 'U')
        {
            i++;
            return ulong.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
                ? new CelToken(CelTokenKind.Literal, start, text[start..i], u)
                : throw OutOfRange(start);
        }
        return ulong.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? new CelToken(CelTokenKind.Literal, start, literal, new IntLiteral(n))
            : throw OutOfRange(start);
    }

    private static CelException OutOfRange(int at) => new($"The number at position {at + 1} is out of range.", at);

    private static CelToken ReadString(string text, ref int i)
    {
        var start = i;
        bool raw = false, bytes = false;
        while (text[i] is not ('"' or '\''))
        {
            if (text[i] is 'r' or 'R') raw = true;
            else bytes = true;
            i++;
        }
        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        i += triple ? 3 : 1;
        var sb = new StringBuilder();
        var octets = bytes ? new List<byte>() : null;
        while (true)
        {
            if (i >= text.Length) throw new CelException($"The string at position {start + 1} is not closed.", start);
            var c = text[i];
            if (triple ? c == quote && i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote : c == quote)
            {
                i += triple ? 3 : 1;
                break;
            }
            if (!triple && c is '\n' or '\r') throw new CelException($"The string at position {start + 1} is not closed on its line.", start);
            if (c == '\\' && !raw)
            {
                ReadEscape(text, ref i, sb, octets);
                continue;
            }
            var end = char.IsHighSurrogate(c) && i + 1 < text.Length ? i + 2 : i + 1;
            Append(sb, octets, text[i..end]);
            i = end;
        }
        var token = text[start..i];
        return octets is null
            ? new CelToken(CelTokenKind.Literal, start, token, sb.ToString())
            : new CelToken(CelTokenKind.Literal, start, token, new CelBytes([.. octets]));
    }

    private static void Append(StringBuilder sb, List<byte>? octets, string s)
    {
        if (octets is null) sb.Append(s);
        else octets.AddRange(Encoding.UTF8.GetBytes(s));
    }

    private static void ReadEscape(string text, ref int i, StringBuilder sb, List<byte>? octets)
    {
        var at = i;
        if (i + 1 >= text.Length) throw BadEscape(at);
        var e = text[i + 1];
        i += 2;
        string? simple = e switch
        {
            'a' => "\a", 'b' => "\b", 'f' => "\f", 'n' => "\n", 'r' => "\r", 't' => "\t", 'v' => "\v",
            '\\' => "\\", '?' => "?", '"' => "\"", '\'' => "'", '`' => "`",
            _ => null,
        };
        if (simple is not null)
        {
            Append(sb, octets, simple);
            return;
        }
        int value;
        switch (e)
        {
            case 'x' or 'X':
                value = Hex(text, ref i, 2, at);
                break;
            case 'u':
                if (octets is not null) throw BadEscape(at);
                value = Hex(text, ref i, 4, at);
                break;
            case 'U':
                if (octets is not null) throw BadEscape(at);
                value = Hex(text, ref i, 8, at);
                break;
            case >= '0' and <= '3':
                if (i + 1 >= text.Length || text[i] is < '0' or > '7' || text[i + 1] is < '0' or > '7') throw BadEscape(at);
                value = ((e - '0') * 64) + ((text[i] - '0') * 8) + (text[i + 1] - '0');
                i += 2;
                break;
            default:
                throw BadEscape(at);
        }
        if (octets is not null)
        {
            octets.Add((byte)value);
            return;
        }
        if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        {
            throw new CelException($"The escape at position {at + 1} is not a Unicode code point.", at);
        }
        sb.Append(char.ConvertFromUtf32(value));
    }

    private static int Hex(string text, ref int i, int digits, int at)
    {
        if (i + digits > text.Length || !int.TryParse(text.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) || v < 0)
        {
            throw BadEscape(at);
        }
        i += digits;
        return v;
    }

    private static CelException BadEscape(int at) => new($"Invalid escape sequence at position {at + 1}.", at);
}

/// <summary>
/// An integer literal before its sign is known: <c>9223372036854775808</c> is only valid as the operand of
/// a unary minus, so the parser turns it into a long.
/// </summary>
internal readonly record struct IntLiteral(ulong Magnitude);
