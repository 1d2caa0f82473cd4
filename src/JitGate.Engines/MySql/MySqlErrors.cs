using System.Text.RegularExpressions;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Maps what the server said about a refused statement to a <see cref="QueryOutcome"/>. The server
/// decided; this only sorts its answer by error number (MySQL manual, "Server Error Message Reference";
/// MariaDB knowledge base, "MariaDB Error Codes") and reads the table out of an access error's message,
/// which the server writes in English (<c>lc_messages</c> is global, set by the DBA).
/// </summary>
internal static partial class MySqlErrors
{
    /// <summary>MariaDB: a locked account's login (ER_ACCOUNT_HAS_BEEN_LOCKED).</summary>
    public const int MariaDbAccountLocked = 4151;

    /// <summary>MySQL: a locked account's login (ER_ACCOUNT_HAS_BEEN_LOCKED).</summary>
    public const int MySqlAccountLocked = 3118;

    /// <summary>MariaDB: max_statement_time exceeded (ER_STATEMENT_TIMEOUT).</summary>
    public const int MariaDbStatementTimeout = 1969;

    /// <summary>MySQL: max_execution_time exceeded (ER_QUERY_TIMEOUT).</summary>
    public const int MySqlQueryTimeout = 3024;

    /// <summary>True when a login was refused because the account may not log in now (locked, wrong password, no access to the database).</summary>
    public static bool IsLoginRefused(MySqlException ex) =>
        ex.ErrorCode is MySqlErrorCode.AccessDenied or MySqlErrorCode.DatabaseAccessDenied
        || ex.Number is MariaDbAccountLocked or MySqlAccountLocked;

    /// <summary>
    /// The outcome of an error raised by the statement. <paramref name="database"/> is the one the query
    /// runs in: a refusal naming a table there is a denial a request can fix; one naming another database
    /// is not (JitGate grants per database).
    /// </summary>
    public static QueryOutcome Map(MySqlException ex, string database, QueryLimits limits)
    {
        switch (ex.ErrorCode)
        {
            case MySqlErrorCode.TableAccessDenied or MySqlErrorCode.ColumnAccessDenied:
                var refusal = TableRefusal().Match(ex.Message);
                if (!refusal.Success)
                {
                    return new QueryOutcome.ReadOnlyViolation($"Not allowed for a reader: {ex.Message}");
                }

                // SHOW CREATE TABLE and SHOW COLUMNS need any privilege on the table: SELECT granted by a request will do.
                if (refusal.Groups["command"].Value is not ("SELECT" or "SHOW"))
                {
                    return new QueryOutcome.ReadOnlyViolation($"Not allowed for a reader: {ex.Message}");
                }

                var schema = refusal.Groups["db"].Success ? Unquote(refusal.Groups["db"].Value) : database;
                var table = refusal.Groups["qtable"].Success ? Unquote(refusal.Groups["qtable"].Value) : refusal.Groups["table"].Value;
                return schema == database
                    ? new QueryOutcome.Denied([new TableRef(database, table)])
                    : OtherDatabase(schema, table, database);

            case MySqlErrorCode.DatabaseAccessDenied:
                // Once the session is in the database, 1044 on it is a database-level privilege a reader
                // never gets (CREATE TEMPORARY TABLES, LOCK TABLES, GRANT), not a missing read grant.
                var db = DatabaseRefusal().Match(ex.Message);
                return !db.Success || db.Groups[1].Value == database
                    ? new QueryOutcome.ReadOnlyViolation($"Not allowed for a reader: {ex.Message}")
                    : OtherDatabase(db.Groups[1].Value, null, database);

            case MySqlErrorCode.SpecifiedAccessDeniedError or MySqlErrorCode.PrecedureAccessDenied or MySqlErrorCode.AccessDenied
                or MySqlErrorCode.CannotExecuteInReadOnlyTransaction or MySqlErrorCode.OptionPreventsStatement
                or MySqlErrorCode.KillDenied or MySqlErrorCode.PasswordNotAllowed:
                return new QueryOutcome.ReadOnlyViolation($"Not allowed for a reader: {ex.Message}");

            case MySqlErrorCode.UnsupportedPreparedStatement:
                return new QueryOutcome.Invalid($"This statement cannot run through JitGate: {ex.Message}");
        }

        return ex.Number is MariaDbStatementTimeout or MySqlQueryTimeout
            ? new QueryOutcome.TimedOut(limits.Timeout)
            : new QueryOutcome.Invalid(ex.Message);
    }

    /// <summary>
    /// True when the session itself is gone or unusable (killed by the reconciler, server restart, network):
    /// the caller reports an engine problem, or retries when nothing of the statement ran.
    /// </summary>
    public static bool IsSessionLost(Exception ex) => ex switch
    {
        MySqlException my => my.ErrorCode is MySqlErrorCode.UnableToConnectToHost
            or MySqlErrorCode.ServerShutdown or MySqlErrorCode.ConnectionCountError or MySqlErrorCode.AbortingConnection
            || my.Number is 1927 or 2006 or 2013 || my.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException,
        InvalidOperationException op => op.Message.Contains("connection", StringComparison.OrdinalIgnoreCase)
            && (op.Message.Contains("closed", StringComparison.OrdinalIgnoreCase) || op.Message.Contains("broken", StringComparison.OrdinalIgnoreCase)),
        IOException or EndOfStreamException => true,
        _ => false,
    };

    private static QueryOutcome.Invalid OtherDatabase(string schema, string? table, string database) =>
        new QueryOutcome.Invalid(
            $"{(table is null ? schema : $"{schema}.{table}")} is outside {database}; JitGate grants access per database, so query it through its own database.");

    private static string Unquote(string quoted) => quoted.Replace("``", "`", StringComparison.Ordinal);

    // "SELECT command denied to user 'u'@'h' for table `db`.`t`" (MariaDB 10.5+, MySQL 8.0.28+),
    // "... for table 't'" (older servers), "... for column 'c' in table 't'" (1143).
    [GeneratedRegex(
        @"^(?<command>[A-Z][A-Z ]*?) command denied to user '.*'@'.*' for (?:column '.*' in )?table (?:`(?<db>(?:[^`]|``)*)`\.`(?<qtable>(?:[^`]|``)*)`|'(?<table>[^']*)')\s*$",
        RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex TableRefusal();

    [GeneratedRegex(@"to database '([^']*)'\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseRefusal();
}
