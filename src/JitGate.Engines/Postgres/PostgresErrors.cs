using System.Text.RegularExpressions;
using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Maps what the server said about a refused statement to a <see cref="QueryOutcome"/>. The server
/// decided; this only sorts its answer. Messages are read in English, the server default
/// (<c>lc_messages</c> can only be changed by a superuser).
/// </summary>
internal static partial class PostgresErrors
{
    /// <summary>A relation (or a schema) the engine refused to read, as named in a 42501 message.</summary>
    public sealed record Refusal(string Kind, string Name);

    /// <summary>The relation or schema named by "permission denied for table|view|... X", or null for other 42501s.</summary>
    public static Refusal? ReadRefusal(PostgresException ex)
    {
        if (ex.SqlState != PostgresErrorCodes.InsufficientPrivilege)
        {
            return null;
        }

        var match = PermissionDenied().Match(ex.MessageText);
        return match.Success ? new Refusal(match.Groups[1].Value, match.Groups[2].Value) : null;
    }

    /// <summary>Every outcome that needs no further look at the catalog.</summary>
    public static QueryOutcome Map(PostgresException ex, QueryLimits limits) => ex.SqlState switch
    {
        PostgresErrorCodes.InsufficientPrivilege =>
            new QueryOutcome.ReadOnlyViolation($"Not allowed for a reader: {ex.MessageText}"),
        // 25001: VACUUM, SET TRANSACTION READ WRITE and the like, which cannot run inside JitGate's transaction.
        PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.FeatureNotSupported or PostgresErrorCodes.ActiveSqlTransaction =>
            new QueryOutcome.ReadOnlyViolation(ex.MessageText),
        PostgresErrorCodes.QueryCanceled => new QueryOutcome.TimedOut(limits.Timeout),
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => new QueryOutcome.Denied([]),
        // Npgsql sends the text in one Parse message; the server's own parser refuses a second statement.
        PostgresErrorCodes.SyntaxError when ex.MessageText.Contains("multiple commands", StringComparison.Ordinal) =>
            new QueryOutcome.Invalid("Only one statement can run at a time; remove everything after the first statement."),
        _ => new QueryOutcome.Invalid(ex.MessageText),
    };

    /// <summary>
    /// True when the session itself is gone or unusable (terminated by the reconciler, server restart,
    /// network): the caller reports an engine problem, or retries when nothing of the statement ran.
    /// </summary>
    public static bool IsSessionLost(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException npg => npg.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException,
        _ => false,
    };

    [GeneratedRegex("^permission denied for (table|view|materialized view|foreign table|schema) (.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex PermissionDenied();
}
