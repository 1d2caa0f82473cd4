namespace JitGate.Engines.Sqlite;

/// <summary>
/// The two questions about statement text that the engine cannot answer itself. Both only ever make
/// the runner refuse more; neither is used to allow anything.
/// </summary>
internal static class SqliteStatementText
{
    /// <summary>
    /// True when <paramref name="tail"/> (what the engine left unparsed) holds nothing but whitespace,
    /// comments and empty statements. Unterminated block comments run to the end, as in SQLite.
    /// </summary>
    public static bool IsBlank(string? tail)
    {
        if (tail is null)
        {
            return true;
        }

        var i = 0;
        while (i < tail.Length)
        {
            var c = tail[i];
            if (char.IsWhiteSpace(c) || c == ';')
            {
                i++;
            }
            else if (c == '-' && i + 1 < tail.Length && tail[i + 1] == '-')
            {
                var newline = tail.IndexOf('\n', i);
                i = newline < 0 ? tail.Length : newline + 1;
            }
            else if (c == '/' && i + 1 < tail.Length && tail[i + 1] == '*')
            {
                var close = tail.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? tail.Length : close + 2;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when the statement might define a common table expression called <paramref name="name"/>.
    /// SQLite reports a CTE's name in the authorizer's "innermost view" argument exactly as it reports
    /// a view's, so <c>WITH granted_view AS (SELECT * FROM secret) ...</c> would otherwise borrow the
    /// view's rights. A CTE name must appear literally after a literal WITH, so a case-insensitive
    /// search for both is a sound over-approximation.
    /// </summary>
    public static bool MayDefineCte(string statement, string name) =>
        statement.Contains("with", StringComparison.OrdinalIgnoreCase)
        && statement.ToLowerInvariant().Contains(name.ToLowerInvariant(), StringComparison.Ordinal);
}
