using JitGate.Core.Engines;
namespace JitGate.Engines.Postgres;

/// <summary>
/// Where the statements of a script begin and end for PostgreSQL, following its lexer's rules for what
/// can hide a semicolon: 'strings' (with '' inside), E'strings' (with backslash escapes), "identifiers",
/// $tag$dollar quotes$tag$, -- line comments and /* nested */ block comments. Nothing is run or allowed
/// by this: each statement still goes through the runner, and the server refuses a text holding more
/// than one. (SQL-standard function bodies, BEGIN ATOMIC … END, are not split correctly; a read-only
/// login cannot create functions.)
/// </summary>
public static class PostgresStatements
{
    /// <summary>The statements of <paramref name="script"/>, in order; blank and comment-only pieces are left out.</summary>
    public static IReadOnlyList<StatementSpan> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var spans = new List<StatementSpan>();
        var start = 0;
        var hasCode = false;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            if (c == ';')
            {
                if (hasCode) Add(spans, script, start, i + 1);
                start = i + 1;
                hasCode = false;
                i++;
                continue;
            }
            var next = i + 1 < script.Length ? script[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                var newline = script.IndexOf('\n', i);
                i = newline < 0 ? script.Length : newline + 1;
                continue;
            }
            if (c == '/' && next == '*')
            {
                i = SkipBlockComment(script, i);
                continue;
            }
            if (!char.IsWhiteSpace(c)) hasCode = true;
            if (c == '\'')
            {
                var escapes = i > 0 && script[i - 1] is 'E' or 'e' && (i < 2 || !IsIdentifierChar(script[i - 2]));
                i = SkipQuoted(script, i, '\'', escapes);
            }
            else if (c == '"')
            {
                i = SkipQuoted(script, i, '"', backslashEscapes: false);
            }
            else if (c == '$' && DollarTag(script, i) is { } tag)
            {
                var close = script.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? script.Length : close + tag.Length;
            }
            else
            {
                i++;
            }
        }
        if (hasCode) Add(spans, script, start, script.Length);
        return spans;
    }

    private static void Add(List<StatementSpan> spans, string script, int start, int end)
    {
        var piece = script[start..end];
        var leading = piece.Length - piece.TrimStart().Length;
        spans.Add(new StatementSpan(start + leading, piece.Trim().Length));
    }

    // Block comments nest in PostgreSQL; an unterminated one runs to the end, as the server reads it.
    private static int SkipBlockComment(string script, int i)
    {
        var depth = 0;
        while (i < script.Length)
        {
            if (script[i] == '/' && i + 1 < script.Length && script[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (script[i] == '*' && i + 1 < script.Length && script[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0) return i;
            }
            else
            {
                i++;
            }
        }
        return i;
    }

    // A doubled quote stands for itself; in E'' strings a backslash escapes the next character.
    private static int SkipQuoted(string script, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < script.Length)
        {
            var c = script[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (i + 1 < script.Length && script[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    // $$ or $tag$ where tag is an identifier that does not start with a digit ($1 is a parameter), and
    // the $ does not continue an identifier (a$b$ is one name).
    private static string? DollarTag(string script, int i)
    {
        if (i > 0 && IsIdentifierChar(script[i - 1])) return null;
        var j = i + 1;
        if (j < script.Length && char.IsDigit(script[j])) return null;
        while (j < script.Length && IsIdentifierChar(script[j]) && script[j] != '$') j++;
        return j < script.Length && script[j] == '$' ? script[i..(j + 1)] : null;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
