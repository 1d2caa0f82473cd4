using JitGate.Core.Engines;
using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Where the statements of a script begin and end, as SQLite's own tokenizer sees them:
/// <c>sqlite3_complete</c> says whether text up to a semicolon is complete (the semicolon is not inside
/// a string, an identifier, a comment or a trigger's BEGIN…END). Nothing is run or allowed by this;
/// each statement still goes through the runner, which refuses a text holding more than one.
/// </summary>
public static class SqliteStatements
{
    /// <summary>The statements of <paramref name="script"/>, in order; blank and comment-only pieces are left out.</summary>
    public static IReadOnlyList<StatementSpan> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        Batteries_V2.Init();
        var spans = new List<StatementSpan>();
        var start = 0;
        var from = 0;
        while (from < script.Length)
        {
            var semicolon = script.IndexOf(';', from);
            if (semicolon < 0) break;
            from = semicolon + 1;
            if (raw.sqlite3_complete(script[start..from]) == 0) continue;
            Add(spans, script, start, from);
            start = from;
        }
        Add(spans, script, start, script.Length);
        return spans;
    }

    private static void Add(List<StatementSpan> spans, string script, int start, int end)
    {
        var piece = script[start..end];
        if (SqliteStatementText.IsBlank(piece)) return;
        var leading = piece.Length - piece.TrimStart().Length;
        spans.Add(new StatementSpan(start + leading, piece.TrimStart().TrimEnd().Length));
    }
}
