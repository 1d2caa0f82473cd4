using System.Text.RegularExpressions;

namespace JitGate.Engines.MySql;

/// <summary>
/// Quoting for the statements that take no parameters (CREATE USER, GRANT, REVOKE, KILL), and the names
/// of the accounts JitGate owns. Identifiers are always back-quoted, so names read from the catalog keep
/// their exact spelling.
/// </summary>
public static partial class MySqlSql
{
    /// <summary>The host part of every JitGate account: it may log in from anywhere, with its password.</summary>
    public const string AccountHost = "%";

    /// <summary>The longest user name MySQL 5.7.8+ accepts (MySQL manual, "Grant Tables": User is CHAR(32)); MariaDB takes 80.</summary>
    public const int MaxUserNameLength = 32;

    /// <summary>True when <paramref name="name"/> is a JitGate account name: <c>^jit_[a-z0-9_]{1,28}$</c>.</summary>
    public static bool IsAccountName(string? name) => name is not null && AccountPattern().IsMatch(name);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a JitGate account name.</summary>
    public static void ValidateAccount(string name, string parameterName)
    {
        if (!IsAccountName(name))
        {
            throw new ArgumentException($"'{name}' is not a JitGate account name; it must match ^jit_[a-z0-9_]{{1,28}}$.", parameterName);
        }
    }

    /// <summary>The account <c>'name'@'%'</c>; the name is validated first, so it needs no escaping.</summary>
    public static string Account(string name)
    {
        ValidateAccount(name, nameof(name));
        return $"'{name}'@'{AccountHost}'";
    }

    /// <summary>A back-quoted identifier with embedded back-quotes doubled.</summary>
    public static string Ident(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        }

        return "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    /// <summary>
    /// The database of a database-level GRANT or REVOKE (<c>ON `db`.*</c>), with <c>_</c> and <c>%</c>
    /// escaped: there they are wildcards (MySQL manual, "GRANT Statement", "Object Quoting Guidelines"),
    /// so an unescaped <c>hr_prod</c> would also grant <c>hrXprod</c>. The server stores the escaped
    /// pattern in mysql.db, which <see cref="DatabasePattern"/> gives for comparison.
    /// </summary>
    public static string DatabaseLevel(string database) => Ident(DatabasePattern(database)) + ".*";

    /// <summary>The pattern a database-level grant on exactly <paramref name="database"/> has in mysql.db.</summary>
    public static string DatabasePattern(string database) =>
        database.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal);

    /// <summary>A table of a table-level GRANT or REVOKE: <c>`db`.`table`</c> (no wildcards at this level).</summary>
    public static string Table(string database, string table) => Ident(database) + "." + Ident(table);

    /// <summary>
    /// A string literal for values JitGate makes itself (passwords of letters and digits, lock names).
    /// Quotes are doubled and backslashes refused, so the literal means the same with or without
    /// NO_BACKSLASH_ESCAPES in sql_mode.
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\\', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A literal JitGate builds cannot contain a backslash or NUL.", nameof(value));
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    [GeneratedRegex("^jit_[a-z0-9_]{1,28}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();
}
