using System.Data;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Runs one statement on a PostgreSQL target as a JitGate login role. PostgreSQL enforces the grant:
/// the connection logs in as the role itself (never SET ROLE on an admin connection, which RESET ROLE
/// would undo), inside <c>BEGIN READ ONLY</c> with a statement timeout, and the transaction is always
/// rolled back. Views, functions, CTEs and sub-queries reach only what the role may read.
/// </summary>
public static class PostgresQueryRunner
{
    /// <summary>
    /// Runs <paramref name="statement"/> (exactly one statement) as <paramref name="roleName"/>.
    /// Values are null, long, double, decimal, bool, string (timestamps as ISO 8601 text, everything
    /// else as the server prints it) or byte[] (bytea).
    /// </summary>
    /// <param name="server">The instance; its admin login is not used here.</param>
    /// <param name="database">The database to connect to.</param>
    /// <param name="roleName">The JitGate login role that holds the principal's grants.</param>
    /// <param name="password">The role's password.</param>
    /// <param name="statement">One SQL statement; comments and a trailing semicolon are fine.</param>
    /// <param name="limits">Row cap (extra rows set Truncated) and statement timeout.</param>
    /// <param name="ct">Cancels the statement on the server.</param>
    /// <returns>
    /// Success; Denied naming the table, view or schema the server refused (the server stops at the
    /// first, so one is named), or with no tables when the role cannot log in; ReadOnlyViolation;
    /// Invalid (including more than one statement); TimedOut.
    /// </returns>
    /// <exception cref="EngineException">The server cannot be reached, the database does not exist, or the session was lost.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<QueryOutcome> RunAsync(
        EngineServer server, string database, string roleName, string password, string statement,
        QueryLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxRows);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limits.Timeout, TimeSpan.Zero);
        ct.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(statement))
        {
            return new QueryOutcome.Invalid("The statement is empty.");
        }

        for (var attempt = 0; ; attempt++)
        {
            var source = PostgresConnections.RoleSource(server, database, roleName, password);
            NpgsqlConnection connection;
            try
            {
                connection = await source.OpenConnectionAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword
                                                   or PostgresErrorCodes.InvalidAuthorizationSpecification
                                                   or PostgresErrorCodes.InsufficientPrivilege)
            {
                // Expired (VALID UNTIL), NOLOGIN, wrong password, or no CONNECT on the database.
                return new QueryOutcome.Denied([]);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                throw new EngineException(
                    $"Cannot connect to {server.Host}:{server.Port} database '{database}' as '{roleName}': {ex.Message}", ex);
            }

            await using (connection)
            {
                try
                {
                    return await ExecuteAsync(connection, server, statement, limits, ct);
                }
                catch (SessionLostOnSendException lost)
                {
                    ct.ThrowIfCancellationRequested();
                    if (attempt > 0)
                    {
                        throw new EngineException($"The session on {server.Host}:{server.Port} ended before the statement ran: {lost.Message}", lost.InnerException!);
                    }

                    // A pooled session ended by the reconciler (or a restart) fails on its first use. The
                    // transaction never committed, so a fresh pool and one more try are safe.
                    PostgresConnections.ClearRolePool(server, database, roleName);
                }
            }
        }
    }

    /// <summary>Closes the idle pooled connections of a role and forgets its pool (for example when its access ends).</summary>
    public static void ClearPool(EngineServer server, string database, string roleName)
    {
        ArgumentNullException.ThrowIfNull(server);
        PostgresConnections.ClearRolePool(server, database, roleName);
    }

    /// <summary>
    /// Reads one row in column order, each value's text length checked against the budget before it is
    /// read; null when the row would cross the byte cap (what was read of it is dropped).
    /// </summary>
    private static async Task<object?[]?> ReadRowAsync(NpgsqlDataReader reader, uint[] types, AnswerBudget budget, CancellationToken ct)
    {
        var row = new object?[types.Length];
        if (!budget.TryTake(2)) return null;
        for (var i = 0; i < types.Length; i++)
        {
            if (await reader.IsDBNullAsync(i, ct))
            {
                if (!budget.TryTake(AnswerBudget.Scalar)) return null;
                continue;
            }

            await using var stream = await reader.GetStreamAsync(i, ct);
            // The text the server printed (text result format); as JSON it is no larger than this.
            if (!budget.TryTake(AnswerBudget.Text(stream.Length))) return null;
            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, ct);
            row[i] = PostgresValues.Convert(types[i], System.Text.Encoding.UTF8.GetString(bytes));
        }

        return row;
    }

    /// <summary>
    /// The whole exchange in one round trip: one batch (one Sync) of BEGIN READ ONLY, the SET LOCALs, the
    /// statement, the read-only check and ROLLBACK. Each batch command is its own Parse message, so the
    /// statement stays exactly one statement. An error skips the rest of the batch and leaves the
    /// transaction aborted; it is rolled back separately then.
    /// </summary>
    private static async Task<QueryOutcome> ExecuteAsync(
        NpgsqlConnection connection, EngineServer server, string statement, QueryLimits limits, CancellationToken ct)
    {
        var timeoutMs = Math.Max(1, (long)Math.Ceiling(limits.Timeout.TotalMilliseconds));
        await using var batch = new NpgsqlBatch(connection)
        {
            // A backstop only: the server's statement_timeout ends the statement first.
            Timeout = (int)Math.Ceiling(limits.Timeout.TotalSeconds) + 10,
        };
        // Text results: every type arrives as the server prints it; PostgresValues maps the common ones.
        PostgresTextResults.Request(batch);
        // SET LOCAL ends with the transaction, so nothing leaks into the pooled session. The display
        // settings fix how values print, for PostgresValues.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN READ ONLY"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL statement_timeout = {timeoutMs.ToString(CultureInfo.InvariantCulture)}"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL DateStyle = 'ISO, YMD'"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL TimeZone = 'UTC'"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL IntervalStyle = 'iso_8601'"));
        var user = new NpgsqlBatchCommand(statement);
        // A positional parameter keeps Npgsql in raw mode: the text goes unchanged in one Parse message,
        // and the server's parser refuses a second statement ("cannot insert multiple commands into a
        // prepared statement"). The parameter itself is an unused, typed NULL, so $1 reads as NULL.
        user.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value });
        batch.BatchCommands.Add(user);
        // COMMIT, ROLLBACK or SET TRANSACTION READ WRITE would have left JitGate's read-only transaction;
        // none of them may run, even if they changed nothing this time. Advisory locks the statement took
        // (open to every role) are let go, so that none outlives the query on the pooled session: held
        // there, they could fill the server's lock table, or stand in the way of JitGate's role locks.
        // Qualified: a statement may have put a schema of its own ahead of pg_catalog in the search path.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_catalog.current_setting('transaction_read_only'), pg_catalog.pg_advisory_unlock_all()"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("ROLLBACK"));

        var columns = new List<ResultColumn>();
        var rows = new List<object?[]>();
        string? truncatedBy = null;
        var budget = new AnswerBudget(limits.MaxBytes);
        try
        {
            NpgsqlDataReader reader;
            try
            {
                // Sequential: a row is read column by column from the wire, never buffered whole, so a value
                // larger than the byte cap is seen by its length and never read into memory.
                reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            }
            catch (Exception ex) when (PostgresErrors.IsSessionLost(ex) && !ct.IsCancellationRequested)
            {
                throw new SessionLostOnSendException(ex);
            }

            string? readOnly;
            try
            {
                // Only the statement and the check return rows (BEGIN, SET and ROLLBACK return none, and the
                // reader passes over them): two result sets when the statement has one, else only the check's.
                var types = new uint[reader.FieldCount];
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    columns.Add(new ResultColumn(reader.GetName(i), reader.GetDataTypeName(i)));
                    types[i] = reader.GetDataTypeOID(i);
                }

                while (await reader.ReadAsync(ct))
                {
                    if (rows.Count == limits.MaxRows)
                    {
                        truncatedBy = "rows";
                        break;
                    }

                    var row = await ReadRowAsync(reader, types, budget, ct);
                    if (row is null)
                    {
                        truncatedBy = "bytes";
                        break;
                    }

                    rows.Add(row);
                }

                if (truncatedBy == "bytes")
                {
                    // The rest is not wanted, and may be huge: stop the server from sending it rather than
                    // read it all. The cancel aborts the transaction, which only needs to end.
                    batch.Cancel();
                    readOnly = null;
                }
                else if (await reader.NextResultAsync(ct))
                {
                    // Passing to the next result read what was left of the statement's rows; the statement
                    // timeout bounds it.
                    readOnly = await reader.ReadAsync(ct) ? reader.GetString(0) : null;
                }
                else
                {
                    // The statement returned no result set: the one read was the check's.
                    readOnly = columns.Count == 2 && rows.Count == 1 && truncatedBy is null ? rows[0][0] as string : null;
                    columns.Clear();
                    rows.Clear();
                }
            }
            finally
            {
                try
                {
                    await reader.DisposeAsync();
                }
                catch (PostgresException ex) when (truncatedBy == "bytes" && ex.SqlState == PostgresErrorCodes.QueryCanceled)
                {
                    // The rows past the cap were never wanted.
                }
            }

            if (truncatedBy == "bytes")
            {
                // A statement that returned rows is no transaction control statement.
                await RollbackAsync(connection);
                return new QueryOutcome.Success(columns, rows, true, []) { TruncatedBy = truncatedBy };
            }

            return readOnly == "on"
                ? new QueryOutcome.Success(columns, rows, truncatedBy is not null, []) { TruncatedBy = truncatedBy }
                : new QueryOutcome.ReadOnlyViolation("Transaction control statements cannot run here; every query runs in a read-only transaction.");
        }
        catch (PostgresException ex) when (!ct.IsCancellationRequested && !PostgresErrors.IsSessionLost(ex))
        {
            await RollbackAsync(connection);
            var refusal = PostgresErrors.ReadRefusal(ex);
            var denied = refusal is null ? null : await PostgresDenials.NameAsync(connection, refusal, statement, ex.Position, ct);
            return denied is null ? PostgresErrors.Map(ex, limits) : new QueryOutcome.Denied([denied]);
        }
        catch (NotSupportedException ex) when (ex.Message.StartsWith("COPY", StringComparison.Ordinal))
        {
            // Npgsql drops the session when a plain command answers with COPY data.
            return new QueryOutcome.ReadOnlyViolation("COPY cannot run here; use SELECT.");
        }
        catch (NpgsqlException ex) when (ex.InnerException is TimeoutException && !ct.IsCancellationRequested)
        {
            return new QueryOutcome.TimedOut(limits.Timeout);
        }
        catch (Exception ex) when (PostgresErrors.IsSessionLost(ex) && !ct.IsCancellationRequested)
        {
            throw new EngineException($"The session on {server.Host}:{server.Port} ended while the statement ran: {ex.Message}", ex);
        }
    }

    /// <summary>The session was gone when the batch was sent; nothing committed, so it may be tried again.</summary>
    private sealed class SessionLostOnSendException(Exception inner) : Exception(inner.Message, inner);

    private static async Task RollbackAsync(NpgsqlConnection connection)
    {
        if (connection.State != ConnectionState.Open)
        {
            return;
        }

        // Never cancelled: the transaction must end even when the caller gave up; and, as after a
        // successful statement, no advisory lock it took stays with the pooled session.
        await using var rollback = new NpgsqlCommand("ROLLBACK; SELECT pg_catalog.pg_advisory_unlock_all()", connection);
        await rollback.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
