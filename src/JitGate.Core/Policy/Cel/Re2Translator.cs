using System.Globalization;
using System.Text;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// Rewrites an RE2 pattern (the syntax CEL's <c>matches</c> uses, cel-spec langdef "Regular expressions")
/// into an equivalent .NET pattern for <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>,
/// which, like RE2, runs in time linear in the input. What RE2 refuses is refused here too, with the
/// offending position: backreferences, lookaround, atomic groups, possessive or nested repetition, counts
/// above 1000. Where the two dialects differ the RE2 meaning is kept: <c>\d \w \s</c> and POSIX classes
/// such as <c>[[:alpha:]]</c> are ASCII, <c>$</c> without (?m) is the end of the text only, <c>\Q..\E</c>
/// quotes, <c>(?U)</c> is dropped (greediness cannot change whether a pattern matches), and <c>.</c> or a
/// negated class takes a whole code point. Not supported (refused): Unicode scripts such as
/// <c>\p{Greek}</c> and characters beyond U+FFFF inside brackets.
/// </summary>
internal sealed class Re2Translator
{
    private const int MaxRepeat = 1000;
    private const string Pair = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";
    private const string Surrogates = @"\uD800-\uDFFF";

    private static readonly Dictionary<string, string> Posix = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z", ["alpha"] = "A-Za-z", ["ascii"] = @"\x00-\x7F", ["blank"] = @"\t ",
        ["cntrl"] = @"\x00-\x1F\x7F", ["digit"] = "0-9", ["graph"] = @"!-~", ["lower"] = "a-z",
        ["print"] = @" -~", ["punct"] = @"!-/:-@\[-`{-~", ["space"] = @"\t\n\v\f\r ", ["upper"] = "A-Z",
        ["word"] = "0-9A-Za-z_", ["xdigit"] = "0-9A-Fa-f",
    };

    private static readonly Dictionary<char, (string Set, bool Negated)> Perl = new()
    {
        ['d'] = ("0-9", false), ['D'] = ("0-9", true), ['w'] = ("0-9A-Za-z_", false), ['W'] = ("0-9A-Za-z_", true),
        ['s'] = (@"\t\n\f\r ", false), ['S'] = (@"\t\n\f\r ", true),
    };

    private static readonly HashSet<string> Categories =
    [
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
        "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co",
    ];

    private readonly string _p;
    private readonly StringBuilder _out = new();
    private int _i;
    private int _depth;

    // RE2's (?m) and (?s) hold to the end of the group that sets them.
    private bool _multiline;
    private bool _dotAll;

    private Re2Translator(string pattern) => _p = pattern;

    /// <summary>The .NET pattern; throws <see cref="Re2Exception"/> with the 0-based offset of what RE2 refuses.</summary>
    public static string Translate(string pattern)
    {
        var t = new Re2Translator(pattern);
        t.Alternation();
        if (t._i < pattern.Length) throw new Re2Exception("unexpected )", t._i);
        return t._out.ToString();
    }

    private bool More => _i < _p.Length;

    // Each level returns the largest product of nested repetition counts inside it; RE2 refuses more than 1000.
    private long Alternation()
    {
        var product = Concatenation();
        while (More && _p[_i] == '|')
        {
            _out.Append('|');
            _i++;
            product = Math.Max(product, Concatenation());
        }
        return product;
    }

    private long Concatenation()
    {
        long product = 1;
        while (More && _p[_i] is not ('|' or ')'))
        {
            if (IsQuantifierStart()) throw new Re2Exception("missing argument to repetition operator", _i);
            var (isFlagGroup, inner) = Atom();
            if (isFlagGroup) continue;
            product = Math.Max(product, inner * Quantifier(inner));
        }
        return product;
    }

    private bool IsQuantifierStart() => _p[_i] is '*' or '+' or '?' || (_p[_i] == '{' && TryRepeat(out _, out _, out _));

    // Copies the repetition after an atom, if any, and returns its count (1 for none, *, + and ?).
    private long Quantifier(long inner)
    {
        if (!More) return 1;
        long count = 1;
        var start = _i;
        if (_p[_i] is '*' or '+' or '?')
        {
            _out.Append(_p[_i]);
            _i++;
        }
        else if (_p[_i] == '{' && TryRepeat(out var min, out var max, out var end))
        {
            if (min > MaxRepeat || max > MaxRepeat || (max >= 0 && max < min)) throw new Re2Exception("invalid repeat count", start);
            count = Math.Max(1, Math.Max(min, max));
            _out.Append(_p, _i, end - _i);
            _i = end;
        }
        else
        {
            return 1;
        }
        if (count * inner > MaxRepeat) throw new Re2Exception("bad repetition operator (nested repetitions above 1000)", start);
        if (More && _p[_i] == '?')
        {
            _out.Append('?');
            _i++;
        }
        if (More && IsQuantifierStart()) throw new Re2Exception("invalid nested repetition operator", _i);
        return count;
    }

    private bool TryRepeat(out int min, out int max, out int end)
    {
        min = max = -1;
        end = _i;
        var j = _i + 1;
        var a = j;
        while (j < _p.Length && char.IsAsciiDigit(_p[j])) j++;
        if (j == a || j - a > 8) return false;
        min = int.Parse(_p.AsSpan(a, j - a), CultureInfo.InvariantCulture);
        if (j < _p.Length && _p[j] == '}')
        {
            max = min;
            end = j + 1;
            return true;
        }
        if (j >= _p.Length || _p[j] != ',') return false;
        j++;
        var b = j;
        while (j < _p.Length && char.IsAsciiDigit(_p[j])) j++;
        if (j >= _p.Length || _p[j] != '}' || j - b > 8) return false;
        max = j == b ? -1 : int.Parse(_p.AsSpan(b, j - b), CultureInfo.InvariantCulture);
        end = j + 1;
        return true;
    }

    // A bare flag group such as (?i) is no atom and takes no repetition.
    private (bool IsFlagGroup, long Product) Atom()
    {
        var c = _p[_i];
        switch (c)
        {
            case '(':
                return Group();
            case '[':
                Class();
                return (false, 1);
            case '.':
                _i++;
                _out.Append("(?:").Append(Pair).Append("|[^").Append(_dotAll ? "" : @"\n").Append(Surrogates).Append("])");
                return (false, 1);
            case '^':
                _i++;
                _out.Append(_multiline ? "(?m:^)" : @"\A");
                return (false, 1);
            case '$':
                _i++;
                _out.Append(_multiline ? "(?m:$)" : @"\z");
                return (false, 1);
            case '\\':
                Escape();
                return (false, 1);
            default:
                Literal(ReadCodePoint());
                return (false, 1);
        }
    }

    private (bool IsFlagGroup, long Product) Group()
    {
        var open = _i;
        _i++;
        var saved = (_multiline, _dotAll);
        if (More && _p[_i] == '?')
        {
            _i++;
            if (!More) throw new Re2Exception("missing closing )", open);
            var c = _p[_i];
            if (c == ':')
            {
                _i++;
                _out.Append("(?:");
            }
            else if (c == 'P' || (c == '<' && _i + 1 < _p.Length && _p[_i + 1] is not ('=' or '!')))
            {
                if (c == 'P') _i++;
                if (!More || _p[_i] != '<') throw new Re2Exception("invalid named capture", open);
                var close = _p.IndexOf('>', _i);
                var name = close < 0 ? "" : _p[(_i + 1)..close];
                if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')) throw new Re2Exception("invalid named capture", open);
                _out.Append("(?<").Append(name).Append('>');
                _i = close + 1;
            }
            else if (c is '=' or '!' or '<' or '>' or '#' or '(')
            {
                throw new Re2Exception("lookaround, atomic groups, comments and conditionals are not supported by RE2", open);
            }
            else
            {
                var flagsAt = _i;
                var negate = false;
                var flags = new StringBuilder();
                while (More && _p[_i] is not (')' or ':'))
                {
                    var f = _p[_i++];
                    switch (f)
                    {
                        case '-' when !negate:
                            negate = true;
                            flags.Append('-');
                            break;
                        case 'i':
                            flags.Append('i');
                            break;
                        case 'm':
                            _multiline = !negate;
                            break;
                        case 's':
                            _dotAll = !negate;
                            break;
                        case 'U':
                            break;
                        default:
                            throw new Re2Exception("invalid or unsupported Perl syntax", flagsAt - 2);
                    }
                }
                if (!More) throw new Re2Exception("missing closing )", open);
                var flagText = flags.ToString().TrimEnd('-');
                if (_p[_i] == ')')
                {
                    // A bare flag group changes the rest of the enclosing group.
                    _i++;
                    if (flagText.Length > 0) _out.Append("(?").Append(flagText).Append(')');
                    return (true, 1);
                }
                _i++;
                _out.Append("(?").Append(flagText).Append(':');
            }
        }
        else
        {
            _out.Append('(');
        }
        if (++_depth > 100) throw new Re2Exception("groups nest too deeply", open);
        var product = Alternation();
        _depth--;
        if (!More || _p[_i] != ')') throw new Re2Exception("missing closing )", open);
        _i++;
        _out.Append(')');
        (_multiline, _dotAll) = saved;
        return (false, product);
    }

    private void Escape()
    {
        var at = _i;
        if (_i + 1 >= _p.Length) throw new Re2Exception("trailing backslash at end of expression", at);
        var c = _p[_i + 1];
        _i += 2;
        if (Perl.TryGetValue(c, out var perl))
        {
            _out.Append(perl.Negated ? $"(?:{Pair}|[^{perl.Set}{Surrogates}])" : $"[{perl.Set}]");
            return;
        }
        switch (c)
        {
            case 'A':
                _out.Append(@"\A");
                return;
            case 'z':
                _out.Append(@"\z");
                return;
            case 'b' or 'B':
                _out.Append('\\').Append(c);
                return;
            case 'p' or 'P':
                _out.Append(Property(c == 'P', at));
                return;
            case 'Q':
                {
                    var end = _p.IndexOf(@"\E", _i, StringComparison.Ordinal);
                    var quoted = end < 0 ? _p[_i..] : _p[_i..end];
                    _i = end < 0 ? _p.Length : end + 2;
                    _out.Append("(?:");
                    var k = 0;
                    while (k < quoted.Length)
                    {
                        var pair = char.IsHighSurrogate(quoted[k]) && k + 1 < quoted.Length && char.IsLowSurrogate(quoted[k + 1]);
                        Literal(pair ? char.ConvertToUtf32(quoted[k], quoted[k + 1]) : quoted[k]);
                        k += pair ? 2 : 1;
                    }
                    _out.Append(')');
                    return;
                }
            default:
                _i = at;
                Literal(ReadEscapedCodePoint());
                return;
        }
    }

    // \pL, \p{Lu}, \PN, \p{^Greek}: Unicode general categories map to .NET's; scripts have no .NET equivalent.
    private string Property(bool negated, int at)
    {
        string name;
        if (More && _p[_i] == '{')
        {
            var close = _p.IndexOf('}', _i);
            if (close < 0) throw new Re2Exception("invalid character class range", at);
            name = _p[(_i + 1)..close];
            _i = close + 1;
        }
        else if (More)
        {
            name = _p[_i].ToString();
            _i++;
        }
        else
        {
            throw new Re2Exception("invalid character class range", at);
        }
        if (name.StartsWith('^'))
        {
            negated = !negated;
            name = name[1..];
        }
        if (name == "Any") return negated ? "[^\\s\\S]" : $"(?:{Pair}|[\\s\\S])";
        if (!Categories.Contains(name)) throw new Re2Exception($"the Unicode class \\p{{{name}}} is not supported (only general categories such as L, Lu, N, P)", at);
        return $"\\{(negated ? 'P' : 'p')}{{{name}}}";
    }

    // A lone surrogate (possible in JSON text) stands for itself.
    private int ReadCodePoint()
    {
        if (char.IsHighSurrogate(_p[_i]) && _i + 1 < _p.Length && char.IsLowSurrogate(_p[_i + 1]))
        {
            var cp = char.ConvertToUtf32(_p[_i], _p[_i + 1]);
            _i += 2;
            return cp;
        }
        return _p[_i++];
    }

    // An escape that stands for one character: \n, \x41, \x{1F600}, \101, or escaped punctuation.
    private int ReadEscapedCodePoint()
    {
        var at = _i;
        if (_i + 1 >= _p.Length) throw new Re2Exception("trailing backslash at end of expression", at);
        var c = _p[_i + 1];
        _i += 2;
        switch (c)
        {
            case 'a': return 7;
            case 'f': return 12;
            case 't': return 9;
            case 'n': return 10;
            case 'r': return 13;
            case 'v': return 11;
            case 'x':
                {
                    string hex;
                    if (More && _p[_i] == '{')
                    {
                        var close = _p.IndexOf('}', _i);
                        if (close < 0) throw new Re2Exception("invalid escape sequence", at);
                        hex = _p[(_i + 1)..close];
                        _i = close + 1;
                    }
                    else
                    {
                        hex = _i + 2 <= _p.Length ? _p.Substring(_i, 2) : "";
                        _i += 2;
                    }
                    if (hex.Length == 0 || hex.Length > 8 || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
                        || v > 0x10FFFF || v is >= 0xD800 and <= 0xDFFF)
                    {
                        throw new Re2Exception("invalid escape sequence", at);
                    }
                    return v;
                }
            case >= '0' and <= '7' when c == '0' || (More && _p[_i] is >= '0' and <= '7'):
                {
                    var value = c - '0';
                    for (var k = 0; k < 2 && More && _p[_i] is >= '0' and <= '7'; k++) value = (value * 8) + (_p[_i++] - '0');
                    return value;
                }
            case >= '1' and <= '9':
                throw new Re2Exception("backreferences are not supported by RE2", at);
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit(c) && c != '_') return c;
                throw new Re2Exception("invalid escape sequence", at);
        }
    }

    private void Literal(int cp)
    {
        if (cp > 0xFFFF)
        {
            var s = char.ConvertFromUtf32(cp);
            _out.Append("(?:").Append(Hex(s[0])).Append(Hex(s[1])).Append(')');
            return;
        }
        _out.Append(Hex((char)cp));
    }

    private static string Hex(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' ? c.ToString() : $"\\u{(int)c:X4}";

    private void Class()
    {
        var open = _i;
        _i++;
        var negated = More && _p[_i] == '^';
        if (negated) _i++;
        var body = new StringBuilder();
        var first = true;
        while (true)
        {
            if (!More) throw new Re2Exception("missing closing ]", open);
            var c = _p[_i];
            if (c == ']' && !first)
            {
                _i++;
                break;
            }
            first = false;
            if (c == '[' && _i + 1 < _p.Length && _p[_i + 1] == ':')
            {
                var close = _p.IndexOf(":]", _i + 2, StringComparison.Ordinal);
                if (close > 0)
                {
                    var name = _p[(_i + 2)..close];
                    var neg = name.StartsWith('^');
                    if (neg) name = name[1..];
                    if (!Posix.TryGetValue(name, out var set)) throw new Re2Exception("invalid character class range", _i);
                    body.Append(neg ? Complement(set) : set);
                    _i = close + 2;
                    continue;
                }
            }
            if (c == '\\' && _i + 1 < _p.Length && Perl.TryGetValue(_p[_i + 1], out var perl))
            {
                body.Append(perl.Negated ? Complement(perl.Set) : perl.Set);
                _i += 2;
                continue;
            }
            if (c == '\\' && _i + 1 < _p.Length && _p[_i + 1] is 'p' or 'P')
            {
                var at = _i;
                var neg = _p[_i + 1] == 'P';
                _i += 2;
                var prop = Property(neg, at);
                if (prop.StartsWith('(') || prop.StartsWith("[^", StringComparison.Ordinal)) throw new Re2Exception(@"\p{Any} inside brackets is not supported", at);
                body.Append(prop);
                continue;
            }
            var itemAt = _i;
            var lo = ClassChar();
            if (More && _p[_i] == '-' && _i + 1 < _p.Length && _p[_i + 1] != ']')
            {
                _i++;
                var hi = ClassChar();
                if (hi < lo) throw new Re2Exception("invalid character class range", itemAt);
                body.Append(Hex((char)lo)).Append('-').Append(Hex((char)hi));
            }
            else
            {
                body.Append(Hex((char)lo));
            }
        }
        if (negated) _out.Append("(?:").Append(Pair).Append("|[^").Append(body).Append(Surrogates).Append("])");
        else if (body.Length == 0) _out.Append("[^\\s\\S]");
        else _out.Append('[').Append(body).Append(']');
    }

    private int ClassChar()
    {
        var at = _i;
        var cp = _p[_i] == '\\' ? ReadEscapedCodePoint() : ReadCodePoint();
        if (cp > 0xFFFF) throw new Re2Exception("characters beyond U+FFFF inside [...] are not supported", at);
        return cp;
    }

    // The rest of the Basic Multilingual Plane once an ASCII set such as 0-9A-Za-z_ is taken out.
    private static string Complement(string asciiSet)
    {
        var member = new bool[128];
        var chars = System.Text.RegularExpressions.Regex.Unescape(asciiSet);
        for (var k = 0; k < chars.Length; k++)
        {
            if (k + 2 < chars.Length && chars[k + 1] == '-')
            {
                for (int ch = chars[k]; ch <= chars[k + 2]; ch++) member[ch] = true;
                k += 2;
            }
            else
            {
                member[chars[k]] = true;
            }
        }
        var sb = new StringBuilder();
        for (var ch = 0; ch < 128; ch++)
        {
            if (member[ch]) continue;
            var end = ch;
            while (end + 1 < 128 && !member[end + 1]) end++;
            sb.Append(Hex((char)ch));
            if (end > ch) sb.Append('-').Append(Hex((char)end));
            ch = end;
        }
        return sb.Append(@"\u0080-\uFFFF").ToString();
    }
}

/// <summary>A pattern RE2 would not accept; <see cref="Position"/> is the 0-based offset in the pattern.</summary>
internal sealed class Re2Exception(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}
