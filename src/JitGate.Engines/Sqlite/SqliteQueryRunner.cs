using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Runs one statement against a SQLite target database with exactly the rights of a
/// <see cref="ReadGrant"/>. SQLite itself enforces the grant: the connection is read-only and an
/// authorizer callback decides every table read and every other action while the statement compiles,
/// so views, CTEs, sub-queries and functions cannot reach data that was not granted.
/// </summary>
public static class SqliteQueryRunner
{
    private const int ProgressInterval = 1000;

    // SQLITE_STMTSTATUS_REPREPARE (sqlite3.h): how often the statement was recompiled after a schema change.
    private const int StatusReprepare = 5;

    /// <summary>
    /// Runs <paramref name="statement"/> (exactly one statement) as a principal holding
    /// <paramref name="grant"/>. A statement that reads anything not granted is never run: the outcome
    /// is <see cref="QueryOutcome.Denied"/> naming every such table or view.
    /// </summary>
    /// <param name="path">Path of the database file.</param>
    /// <param name="grant">What may be read.</param>
    /// <param name="statement">One SQL statement; comments and a trailing semicolon are fine.</param>
    /// <param name="limits">Row cap and time limit.</param>
    /// <param name="cancellationToken">Interrupts the statement when cancelled.</param>
    /// <returns>Success, Denied, ReadOnlyViolation, Invalid or TimedOut.</returns>
    /// <exception cref="SqliteEngineException">The file is missing, unreadable, or not a SQLite database.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static QueryOutcome Run(
        string path, ReadGrant grant, string statement, QueryLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxRows);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limits.Timeout, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        var lease = SqliteReadConnections.Rent(path);
        var reusable = false;
        try
        {
            var connection = lease.Connection;
            SqliteSchemaMap schema;
            try
            {
                // The schema-version statement stays open until the query is done: it holds one read
                // transaction, so the schema the program is checked against is the one it runs on and
                // the statement is never silently recompiled against a newer schema.
                var version = BeginRead(lease);
                if (lease.Schema is not { } known || known.Version != version)
                {
                    lease.Schema = SqliteSchemaMap.Read(connection, version);
                }

                schema = lease.Schema;
                if (lease.IsNew)
                {
                    using var pragma = connection.CreateCommand();
                    // Read-only twice over: the file is opened read-only and the connection refuses writes even
                    // to temp storage. Set before the authorizer, which refuses every pragma that sets anything.
                    pragma.CommandText = "PRAGMA query_only=1";
                    pragma.ExecuteNonQuery();
                }
            }
            catch (SqliteException ex)
            {
                EndRead(lease);
                throw SqliteFiles.Translate(path, ex.SqliteErrorCode, ex.Message, ex);
            }

            var db = connection.Handle!;
            if (lease.IsNew)
            {
                connection.EnableExtensions(false);
                raw.sqlite3_db_config(db, raw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, out _);
                raw.sqlite3_db_config(db, raw.SQLITE_DBCONFIG_DEFENSIVE, 1, out _);
                raw.sqlite3_limit(db, raw.SQLITE_LIMIT_ATTACHED, 0);
            }

            // No string or blob larger than the answer may hold is ever built (randomblob(1e9), zeroblob, repeat).
            raw.sqlite3_limit(db, raw.SQLITE_LIMIT_LENGTH, (int)Math.Clamp(limits.MaxBytes, 1024, int.MaxValue));
            var policy = new SqliteReadPolicy(grant, schema.Objects, statement);
            strdelegate_authorizer authorizer = policy.Authorize;
            raw.sqlite3_set_authorizer(db, authorizer, null);
            var timedOut = false;
            delegate_progress progress = _ =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return 1;
                }

                if (Stopwatch.GetElapsedTime(started) > limits.Timeout)
                {
                    timedOut = true;
                    return 1;
                }

                return 0;
            };
            raw.sqlite3_progress_handler(db, ProgressInterval, progress, null);

            try
            {
                var outcome = Execute(path, db, policy, schema, statement, limits, ref timedOut, cancellationToken);
                // Only a connection back in autocommit (no transaction left open) serves another query.
                reusable = raw.sqlite3_get_autocommit(db) != 0;
                return outcome;
            }
            finally
            {
                raw.sqlite3_progress_handler(db, 0, null, null);
                raw.sqlite3_set_authorizer(db, (strdelegate_authorizer?)null, null);
                GC.KeepAlive(authorizer);
                GC.KeepAlive(progress);
                EndRead(lease);
            }
        }
        finally
        {
            SqliteReadConnections.Return(lease, reusable);
        }
    }

    /// <summary>Starts the query's read transaction and answers the schema version it sees.</summary>
    private static int BeginRead(SqliteReadConnections.Lease lease)
    {
        var db = lease.Connection.Handle!;
        var stmt = lease.SchemaVersionStatement;
        if (stmt is null)
        {
            var prepared = raw.sqlite3_prepare_v2(db, "PRAGMA schema_version", out stmt);
            if (prepared != raw.SQLITE_OK)
            {
                stmt.Dispose();
                throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), prepared);
            }

            lease.SchemaVersionStatement = stmt;
        }

        var rc = raw.sqlite3_step(stmt);
        if (rc != raw.SQLITE_ROW)
        {
            raw.sqlite3_reset(stmt);
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }

        return raw.sqlite3_column_int(stmt, 0);
    }

    /// <summary>Ends the read transaction that <see cref="BeginRead"/> started.</summary>
    private static void EndRead(SqliteReadConnections.Lease lease)
    {
        if (lease.SchemaVersionStatement is { } stmt)
        {
            raw.sqlite3_reset(stmt);
        }
    }

    private static QueryOutcome Execute(
        string path, sqlite3 db, SqliteReadPolicy policy, SqliteSchemaMap schema, string statement, QueryLimits limits,
        ref bool timedOut, CancellationToken cancellationToken)
    {
        var rc = raw.sqlite3_prepare_v2(db, statement, out sqlite3_stmt stmt, out string tail);
        using (stmt)
        {
            if (policy.Violation is not null)
            {
                return new QueryOutcome.ReadOnlyViolation(policy.Violation);
            }

            if (policy.Denied.Count > 0)
            {
                return new QueryOutcome.Denied(policy.Denied);
            }

            if (rc != raw.SQLITE_OK)
            {
                return Failure(path, db, rc, limits, timedOut, cancellationToken);
            }

            if (stmt is null || stmt.IsInvalid)
            {
                return new QueryOutcome.Invalid("The statement is empty.");
            }

            if (!SqliteStatementText.IsBlank(tail))
            {
                return new QueryOutcome.Invalid(
                    "Only one statement can run at a time; remove everything after the first statement.");
            }

            if (raw.sqlite3_stmt_readonly(stmt) == 0)
            {
                return new QueryOutcome.ReadOnlyViolation("This statement would write to the database; this connection is read-only.");
            }

            SqliteStorageCheck.Check(db, stmt, policy, schema);
            if (policy.Violation is not null)
            {
                return new QueryOutcome.ReadOnlyViolation(policy.Violation);
            }

            if (policy.Denied.Count > 0)
            {
                return new QueryOutcome.Denied(policy.Denied);
            }

            var recompiles = raw.sqlite3_stmt_status(stmt, StatusReprepare, 0);
            policy.Running = true;
            var columns = ReadColumns(stmt);
            var rows = new List<object?[]>();
            var budget = new AnswerBudget(limits.MaxBytes);
            string? truncatedBy = null;
            while (true)
            {
                rc = raw.sqlite3_step(stmt);
                if (raw.sqlite3_stmt_status(stmt, StatusReprepare, 0) != recompiles)
                {
                    // Cannot happen inside the held read transaction; should it, the program that ran is
                    // not the one checked, so nothing it produced is returned.
                    return new QueryOutcome.Invalid("The database's schema changed as the statement started; run it again.");
                }

                if (rc == raw.SQLITE_ROW)
                {
                    if (rows.Count == limits.MaxRows)
                    {
                        truncatedBy = "rows";
                        break;
                    }

                    // Sized before anything is copied out of SQLite, so an oversized row costs nothing here.
                    if (!budget.TryTake(RowSize(stmt, columns.Count)))
                    {
                        truncatedBy = "bytes";
                        break;
                    }

                    rows.Add(ReadRow(stmt, columns.Count));
                }
                else if (rc == raw.SQLITE_DONE)
                {
                    break;
                }
                else
                {
                    // A recompile after a schema change goes through the authorizer again.
                    if (policy.Violation is not null)
                    {
                        return new QueryOutcome.ReadOnlyViolation(policy.Violation);
                    }

                    return policy.Denied.Count > 0
                        ? new QueryOutcome.Denied(policy.Denied)
                        : Failure(path, db, rc, limits, timedOut, cancellationToken);
                }
            }

            return new QueryOutcome.Success(columns, rows, truncatedBy is not null, policy.Read) { TruncatedBy = truncatedBy };
        }
    }

    private static QueryOutcome Failure(
        string path, sqlite3 db, int rc, QueryLimits limits, bool timedOut, CancellationToken cancellationToken)
    {
        if ((rc & 0xff) == raw.SQLITE_INTERRUPT)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (timedOut)
            {
                return new QueryOutcome.TimedOut(limits.Timeout);
            }
        }

        var message = raw.sqlite3_errmsg(db).utf8_to_string() ?? $"SQLite error {rc}";
        if (SqliteFiles.IsFileError(rc))
        {
            throw SqliteFiles.Translate(path, rc, message);
        }

        return (rc & 0xff) == raw.SQLITE_AUTH
            ? new QueryOutcome.ReadOnlyViolation(message)
            : new QueryOutcome.Invalid(message);
    }

    private static List<ResultColumn> ReadColumns(sqlite3_stmt stmt)
    {
        var count = raw.sqlite3_column_count(stmt);
        var columns = new List<ResultColumn>(count);
        for (var i = 0; i < count; i++)
        {
            columns.Add(new ResultColumn(
                raw.sqlite3_column_name(stmt, i).utf8_to_string() ?? "",
                raw.sqlite3_column_decltype(stmt, i).utf8_to_string() ?? ""));
        }

        return columns;
    }

    /// <summary>The row's size as JSON text, from SQLite's own lengths (sqlite3_column_bytes), without copying a value.</summary>
    private static long RowSize(sqlite3_stmt stmt, int count)
    {
        long size = 2;
        for (var i = 0; i < count; i++)
        {
            size += raw.sqlite3_column_type(stmt, i) switch
            {
                raw.SQLITE_TEXT => AnswerBudget.Text(raw.sqlite3_column_bytes(stmt, i)),
                raw.SQLITE_BLOB => AnswerBudget.Binary(raw.sqlite3_column_bytes(stmt, i)),
                _ => AnswerBudget.Scalar,
            };
        }

        return size;
    }

    private static object?[] ReadRow(sqlite3_stmt stmt, int count)
    {
        var row = new object?[count];
        for (var i = 0; i < count; i++)
        {
            row[i] = raw.sqlite3_column_type(stmt, i) switch
            {
                raw.SQLITE_INTEGER => raw.sqlite3_column_int64(stmt, i),
                raw.SQLITE_FLOAT => raw.sqlite3_column_double(stmt, i),
                raw.SQLITE_TEXT => raw.sqlite3_column_text(stmt, i).utf8_to_string(),
                raw.SQLITE_BLOB => raw.sqlite3_column_blob(stmt, i).ToArray(),
                _ => null,
            };
        }

        return row;
    }
}
