namespace JitGate.Engines.MySql;

/// <summary>
/// Where the statements of a script begin and end for MySQL and MariaDB, following the server's lexer
/// (MySQL manual, "String Literals", "Schema Object Names", "Comments"; MariaDB knowledge base, "Comment
/// Syntax") for what can hide a semicolon: 'strings' and "strings" (a backslash escapes the next character,
/// a doubled quote stands for itself), `identifiers` (a doubled back-quote), # and "-- " line comments,
/// and /* block comments */, which do not nest.
/// </summary>
/// <remarks>
/// An executable comment (<c>/*! … */</c>, <c>/*!50700 … */</c>, MariaDB's <c>/*M! … */</c>) is code to the
/// server, so a piece holding one is never left out as comment-only, and a semicolon inside it ends the
/// statement, as it does for the server and the <c>mysql</c> client. Optimizer hints (<c>/*+ … */</c>) are
/// comments here; they only ever follow a statement's first keyword. Nothing is run or allowed by
/// splitting: each statement still goes through the runner, whose server-side PREPARE refuses a text
/// holding more than one. Client commands (<c>DELIMITER</c>) are not the server's and are not read.
/// </remarks>
public static class MySqlStatements
{
    /// <summary>The statements of <paramref name="script"/>, in order, each with its semicolon; blank and comment-only pieces are left out.</summary>
    public static IReadOnlyList<StatementSpan> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var spans = new List<StatementSpan>();
        var start = 0;
        var hasCode = false;
        var inExecutable = false;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            var next = i + 1 < script.Length ? script[i + 1] : '\0';
            if (c == ';')
            {
                if (hasCode) Add(spans, script, start, i + 1);
                start = i + 1;
                hasCode = false;
                i++;
                continue;
            }

            if (c == '#' || (c == '-' && next == '-' && (i + 2 >= script.Length || IsCommentSpace(script[i + 2]))))
            {
                var newline = script.IndexOf('\n', i);
                i = newline < 0 ? script.Length : newline + 1;
                continue;
            }

            if (inExecutable && c == '*' && next == '/')
            {
                // The end of an executable comment: the code inside it has been read as code.
                inExecutable = false;
                i += 2;
                continue;
            }

            if (c == '/' && next == '*')
            {
                if (!inExecutable && ExecutableCommentStart(script, i) is { } codeStart)
                {
                    inExecutable = true;
                    hasCode = true;
                    i = codeStart;
                    continue;
                }

                // Block comments do not nest: the first */ ends one, an unterminated one runs to the end.
                var close = script.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? script.Length : close + 2;
                continue;
            }

            if (!char.IsWhiteSpace(c)) hasCode = true;
            i = c switch
            {
                '\'' or '"' => SkipQuoted(script, i, c, backslashEscapes: true),
                '`' => SkipQuoted(script, i, '`', backslashEscapes: false),
                _ => i + 1,
            };
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

    /// <summary>
    /// For <c>/*!</c>, <c>/*!NNNNN</c>, <c>/*M!</c> and <c>/*M!NNNNNN</c> at <paramref name="i"/>: where the code
    /// inside starts (after the version number, which the server reads as part of the marker); otherwise null.
    /// </summary>
    private static int? ExecutableCommentStart(string script, int i)
    {
        var j = i + 2;
        if (j < script.Length && script[j] == 'M' && j + 1 < script.Length && script[j + 1] == '!') j++;
        if (j >= script.Length || script[j] != '!') return null;
        j++;
        while (j < script.Length && char.IsAsciiDigit(script[j])) j++;
        return j;
    }

    // "--" starts a comment only when a space or control character follows (MySQL manual, "'--' as the
    // Start of a Comment"): 5--1 is arithmetic.
    private static bool IsCommentSpace(char c) => char.IsWhiteSpace(c) || char.IsControl(c);

    // A doubled quote stands for itself; in strings a backslash escapes the next character (the server's
    // default sql_mode; under NO_BACKSLASH_ESCAPES a string ending in a backslash would be read further
    // here, which only joins statements, never hides one: the runner refuses a text holding two).
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

        return Math.Min(i, script.Length);
    }
}
