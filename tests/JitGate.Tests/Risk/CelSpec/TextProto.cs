using System.Globalization;
using System.Text;

namespace JitGate.Tests.Risk.CelSpec;

/// <summary>
/// A field value of protocol buffer text format: a nested message, a quoted string (kept as the bytes
/// it spells, since text format escapes are byte escapes), or a bare token (number, enum name, bool).
/// </summary>
internal abstract record PbValue;

internal sealed record PbBytes(byte[] Bytes) : PbValue
{
    public string Utf8 => Encoding.UTF8.GetString(Bytes);
}

internal sealed record PbToken(string Text) : PbValue;

internal sealed record PbMessage(List<KeyValuePair<string, PbValue>> Fields) : PbValue
{
    public IEnumerable<PbValue> All(string name) => Fields.Where(f => f.Key == name).Select(f => f.Value);

    public PbValue? One(string name) => All(name).FirstOrDefault();

    public PbMessage? Message(string name) => One(name) as PbMessage;

    public string? Text(string name) => One(name) switch
    {
        PbBytes b => b.Utf8,
        PbToken t => t.Text,
        _ => null,
    };

    public bool Flag(string name) => Text(name) == "true";
}

/// <summary>
/// Reads the subset of protocol buffer text format that cel-spec's simple test files use: fields with
/// or without ':', nested messages in braces, '#' comments, adjacent string literals, C-style escapes.
/// </summary>
internal sealed class TextProto
{
    private readonly string _text;
    private int _pos;

    private TextProto(string text) => _text = text;

    public static PbMessage Parse(string text)
    {
        var reader = new TextProto(text);
        var message = reader.ReadFields(endBrace: false);
        return message;
    }

    private PbMessage ReadFields(bool endBrace)
    {
        var fields = new List<KeyValuePair<string, PbValue>>();
        while (true)
        {
            SkipSpace();
            if (_pos >= _text.Length)
            {
                if (endBrace) throw new FormatException("Unexpected end of text format input.");
                return new PbMessage(fields);
            }
            if (_text[_pos] == '}')
            {
                if (!endBrace) throw Error("unexpected '}'");
                _pos++;
                return new PbMessage(fields);
            }
            var name = ReadWord();
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == ':')
            {
                _pos++;
                SkipSpace();
            }
            fields.Add(new(name, ReadValue()));
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] is ',' or ';') _pos++;
        }
    }

    private PbValue ReadValue()
    {
        var c = _text[_pos];
        if (c is '{' or '<')
        {
            _pos++;
            return ReadFields(endBrace: true);
        }
        if (c is '"' or '\'')
        {
            var bytes = new List<byte>();
            while (_pos < _text.Length && _text[_pos] is '"' or '\'')
            {
                ReadQuoted(bytes);
                SkipSpace();
            }
            return new PbBytes([.. bytes]);
        }
        return new PbToken(ReadWord());
    }

    private void ReadQuoted(List<byte> into)
    {
        var quote = _text[_pos++];
        var utf8 = new byte[4];
        while (_text[_pos] != quote)
        {
            var c = _text[_pos++];
            if (c != '\\')
            {
                var rune = char.IsHighSurrogate(c) ? new Rune(c, _text[_pos++]) : new Rune(c);
                var n = rune.EncodeToUtf8(utf8);
                into.AddRange(utf8.AsSpan(0, n));
                continue;
            }
            var e = _text[_pos++];
            switch (e)
            {
                case 'n': into.Add((byte)'\n'); break;
                case 't': into.Add((byte)'\t'); break;
                case 'r': into.Add((byte)'\r'); break;
                case 'a': into.Add(7); break;
                case 'b': into.Add(8); break;
                case 'f': into.Add(12); break;
                case 'v': into.Add(11); break;
                case 'x' or 'X':
                    {
                        var start = _pos;
                        while (_pos < start + 2 && Uri.IsHexDigit(_text[_pos])) _pos++;
                        into.Add(byte.Parse(_text.AsSpan(start, _pos - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        break;
                    }
                case 'u' or 'U':
                    {
                        var digits = e == 'u' ? 4 : 8;
                        var rune = new Rune(int.Parse(_text.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        _pos += digits;
                        into.AddRange(utf8.AsSpan(0, rune.EncodeToUtf8(utf8)));
                        break;
                    }
                case >= '0' and <= '7':
                    {
                        var start = _pos - 1;
                        while (_pos < start + 3 && _text[_pos] is >= '0' and <= '7') _pos++;
                        into.Add((byte)Convert.ToInt32(_text[start.._pos], 8));
                        break;
                    }
                default:
                    into.AddRange(Encoding.UTF8.GetBytes(e.ToString()));
                    break;
            }
        }
        _pos++;
    }

    private string ReadWord()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.' or '-' or '+' or '[' or ']' or '/')) _pos++;
        if (_pos == start) throw Error($"unexpected '{_text[_pos]}'");
        return _text[start.._pos];
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length)
        {
            if (char.IsWhiteSpace(_text[_pos])) _pos++;
            else if (_text[_pos] == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else break;
        }
    }

    private FormatException Error(string what) => new($"Text format: {what} at offset {_pos}.");
}
