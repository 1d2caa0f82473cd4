using System.Globalization;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Quoting for the few places where PostgreSQL takes no parameters (GRANT, REVOKE, ALTER ROLE).
/// Identifiers are always quoted, so names read from the catalog keep their exact spelling.
/// </summary>
internal static class PostgresSql
{
    /// <summary>A quoted identifier: <c>"name"</c> with embedded quotes doubled.</summary>
    public static string Ident(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A quoted <c>schema.name</c>.</summary>
    public static string Qualified(string schema, string name) => Ident(schema) + "." + Ident(name);

    /// <summary>
    /// A standard-conforming string literal. Only used for values JitGate produces itself (timestamps,
    /// password verifiers); an E'' prefix is never added, so backslashes carry no meaning.
    /// </summary>
    public static string Literal(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A literal cannot contain a NUL character.", nameof(value));
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A <c>timestamptz</c> literal, or <c>'infinity'</c> for no limit.</summary>
    public static string Timestamp(DateTimeOffset? value) =>
        Literal(value is null
            ? "infinity"
            : value.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}
