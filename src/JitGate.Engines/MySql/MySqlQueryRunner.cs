using System.Globalization;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Runs one statement on a MySQL or MariaDB target as a JitGate account. The server enforces the grant:
/// the connection logs in as the account itself, inside <c>START TRANSACTION READ ONLY</c> with a
/// statement time limit, and the transaction is always rolled back. Views, sub-queries, functions and
/// CTEs reach only what the account may read.
/// </summary>
/// <remarks>
/// Exactly one statement runs per call. MySqlConnector always asks for CLIENT_MULTI_STATEMENTS, and its
/// own prepared statements split the text into statements on the client, so neither may carry the user's
/// text. Instead the text travels as a hexadecimal literal (<c>SET @jitgate_statement = CONVERT(X'…' USING
/// utf8mb4)</c>: nothing to escape, whatever the session's sql_mode), and the server itself prepares it
/// with <c>PREPARE … FROM @jitgate_statement</c>, which accepts a single statement only (MySQL manual,
/// "PREPARE Statement"); a second one is a syntax error (1064) and nothing runs.
/// The statement limit is the server's (<c>max_statement_time</c> on MariaDB, <c>max_execution_time</c>
/// on MySQL), but a statement may lift MariaDB's for itself (<c>SET STATEMENT max_statement_time=0 FOR …</c>),
/// so JitGate also runs its own timer and ends the statement with <c>KILL QUERY</c> as the instance admin.
/// </remarks>
public static class MySqlQueryRunner
{
    /// <summary>How long after the limit JitGate's own timer kills a statement the server did not stop.</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Runs <paramref name="statement"/> (exactly one statement) as <paramref name="account"/>. Values are
    /// converted as <see cref="MySqlValues"/> says.
    /// </summary>
    /// <param name="server">The instance; its admin login ends statements that outlive the limit.</param>
    /// <param name="database">The database to run in (the connection's default database).</param>
    /// <param name="account">The JitGate account that holds the principal's grants.</param>
    /// <param name="password">The account's password.</param>
    /// <param name="statement">One SQL statement; comments and a trailing semicolon are fine.</param>
    /// <param name="limits">Row, byte and time caps.</param>
    /// <param name="ct">Cancels the statement on the server.</param>
    /// <returns>
    /// Success; Denied naming the table or view the server refused (it stops at the first), or naming none
    /// when the account may not enter the database at all or cannot log in; ReadOnlyViolation; Invalid
    /// (including more than one statement, and tables of another database); TimedOut.
    /// </returns>
    /// <exception cref="EngineException">The server cannot be reached, or the session was lost while the statement ran.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<QueryOutcome> RunAsync(
        EngineServer server, string database, string account, string password, string statement, QueryLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        MySqlSql.ValidateAccount(account, nameof(account));
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

        var repaired = false;
        for (var attempt = 0; ; attempt++)
        {
            MySqlConnection connection;
            try
            {
                connection = await MySqlConnections.AccountSource(server, database, account, password).OpenConnectionAsync(ct);
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.AccessDenied && !repaired && !ct.IsCancellationRequested)
            {
                // A query account may have changed its own password (SET PASSWORD needs no privilege on
                // MariaDB); putting JitGate's back changes nothing else, not even a lock. Whoever changed it
                // had a session of the account outside JitGate's pool: every session of it ends.
                repaired = true;
                // Not cancellable: a caller giving up must not leave the user's password, or its sessions, in place.
                await RestorePasswordAsync(server, account, password, endSessions: true, CancellationToken.None);
                MySqlConnections.ClearAccountPool(server, database, account);
                continue;
            }
            catch (MySqlException ex) when (MySqlErrors.IsLoginRefused(ex))
            {
                // Locked, no privilege in the database at all (1044), or still a wrong password.
                return new QueryOutcome.Denied([]);
            }
            catch (Exception ex) when (ex is MySqlException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                throw new EngineException($"Cannot connect to {server.Host}:{server.Port} database '{database}' as '{account}': {ex.Message}", ex);
            }

            await using (connection)
            {
                var mariaDb = MySqlConnections.IsMariaDb(connection);
                // Unguessable, so that only JitGate's own transaction can hold it (FinishAsync).
                var savepoint = "jitgate_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
                try
                {
                    await PrepareAsync(connection, statement, limits, mariaDb, savepoint, ct);
                }
                catch (Exception ex) when (attempt == 0 && MySqlErrors.IsSessionLost(ex) && !ct.IsCancellationRequested)
                {
                    // A pooled session killed by the reconciler (or a restart) fails on its first use.
                    // Nothing of the statement ran yet, so a fresh pool and one more try are safe.
                    MySqlConnections.ClearAccountPool(server, database, account);
                    continue;
                }
                catch (MySqlException ex) when (!ct.IsCancellationRequested && !MySqlErrors.IsSessionLost(ex))
                {
                    // The server refused to prepare the statement: it does not parse, is more than one,
                    // or names what the account may not read.
                    await RollbackAsync(connection);
                    return MySqlErrors.Map(ex, database, limits);
                }

                return await ExecuteAsync(connection, server, database, account, password, limits, mariaDb, savepoint, ct);
            }
        }
    }

    /// <summary>Closes the idle pooled connections of an account and forgets its pool (for example when its access ends).</summary>
    public static void ClearPool(EngineServer server, string database, string account)
    {
        ArgumentNullException.ThrowIfNull(server);
        MySqlConnections.ClearAccountPool(server, database, account);
    }

    /// <summary>
    /// One round trip: the user's text into a user variable (as hexadecimal), the statement limit, the
    /// read-only transaction with a savepoint of a random name, and the server's PREPARE of the text.
    /// </summary>
    private static async Task PrepareAsync(MySqlConnection connection, string statement, QueryLimits limits, bool mariaDb, string savepoint, CancellationToken ct)
    {
        var hex = Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(statement));
        await using var prepare = new MySqlCommand(
            $"SET @jitgate_statement = CONVERT(X'{hex}' USING utf8mb4); {Limit(limits, mariaDb)}; START TRANSACTION READ ONLY; SAVEPOINT {savepoint}; "
            + "PREPARE jitgate_statement FROM @jitgate_statement", connection);
        await prepare.ExecuteNonQueryAsync(ct);
    }

    private static string Limit(QueryLimits limits, bool mariaDb)
    {
        var ms = Math.Max(1, (long)Math.Ceiling(limits.Timeout.TotalMilliseconds));
        // MariaDB: seconds with fractions (max_statement_time); MySQL: milliseconds, for SELECT only (max_execution_time).
        return mariaDb
            ? $"SET SESSION max_statement_time = {(ms / 1000m).ToString("0.###", CultureInfo.InvariantCulture)}"
            : $"SET SESSION max_execution_time = {ms.ToString(CultureInfo.InvariantCulture)}";
    }

    private static async Task<QueryOutcome> ExecuteAsync(
        MySqlConnection connection, EngineServer server, string database, string account, string password, QueryLimits limits, bool mariaDb, string savepoint,
        CancellationToken ct)
    {
        var timedOut = 0;
        Task killing = Task.CompletedTask;
        var thread = connection.ServerThread;
        using var timer = new CancellationTokenSource(limits.Timeout + KillGrace);
        await using var registration = timer.Token.Register(() =>
        {
            Interlocked.Exchange(ref timedOut, 1);
            killing = KillQueryAsync(server, thread);
        });

        var columns = new List<ResultColumn>();
        var rows = new List<object?[]>();
        string? truncatedBy = null;
        try
        {
            await using var execute = new MySqlCommand("EXECUTE jitgate_statement", connection)
            {
                // A backstop only: the server's limit, then JitGate's own timer, end the statement first.
                CommandTimeout = (int)Math.Ceiling((limits.Timeout + KillGrace).TotalSeconds) + 10,
            };
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var reader = await execute.ExecuteReaderAsync(ct);
            try
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    columns.Add(new ResultColumn(reader.GetName(i), reader.GetDataTypeName(i)));
                }

                var budget = new AnswerBudget(limits.MaxBytes);
                while (await reader.ReadAsync(ct))
                {
                    if (rows.Count == limits.MaxRows)
                    {
                        truncatedBy = "rows";
                        break;
                    }

                    var row = ReadRow(reader, budget);
                    if (row is null)
                    {
                        truncatedBy = "bytes";
                        break;
                    }

                    rows.Add(row);
                }

                if (truncatedBy == "bytes")
                {
                    // The rest is not wanted, and may be huge: stop the server from sending it rather than read it all.
                    await KillQueryAsync(server, thread);
                }
            }
            finally
            {
                try
                {
                    // Disposing reads what is left of the result; the limits bound it.
                    await reader.DisposeAsync();
                }
                catch (MySqlException ex) when (truncatedBy is not null && ex.ErrorCode == MySqlErrorCode.QueryInterrupted)
                {
                    // The rows past the cap were never wanted.
                }
            }

            var ran = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await killing;
            if (!await FinishAsync(connection, mariaDb, savepoint))
            {
                // The statement ended JitGate's transaction (COMMIT, a statement that commits implicitly
                // such as SET PASSWORD, which MariaDB lets any account run on itself). Whatever it changed
                // about the account, the password is JitGate's again before the answer, and every session
                // of the account ends: one opened with the user's own password in the moment before it was
                // put back would otherwise go on outside the editor.
                await RestorePasswordAsync(server, account, password, endSessions: true, CancellationToken.None);
                MySqlConnections.ClearAccountPool(server, database, account);
                return new QueryOutcome.ReadOnlyViolation("Transaction control statements cannot run here; every query runs in a read-only transaction.");
            }

            // Interrupted at the limit, some functions answer instead of failing (MariaDB's BENCHMARK
            // answers 0): what a statement returns once its time ran out is not its result.
            return ran >= limits.Timeout || Volatile.Read(ref timedOut) == 1
                ? new QueryOutcome.TimedOut(limits.Timeout)
                : new QueryOutcome.Success(columns, rows, truncatedBy is not null, []) { TruncatedBy = truncatedBy };
        }
        catch (MySqlException ex) when (!ct.IsCancellationRequested && !MySqlErrors.IsSessionLost(ex))
        {
            await killing;
            // A failed statement changes nothing, but the session must say so: one that cannot is treated as
            // one whose statement ended the transaction.
            await RestoreUnlessIntactAsync(connection, server, database, account, password, mariaDb, savepoint);
            return Volatile.Read(ref timedOut) == 1 && ex.ErrorCode == MySqlErrorCode.QueryInterrupted
                ? new QueryOutcome.TimedOut(limits.Timeout)
                : MySqlErrors.Map(ex, database, limits);
        }
        catch (OperationCanceledException)
        {
            await killing;
            // A statement cancelled after it ran may still have changed the account's password: the same
            // check as a finished one.
            await RestoreUnlessIntactAsync(connection, server, database, account, password, mariaDb, savepoint);
            throw;
        }
        catch (Exception ex) when (MySqlErrors.IsSessionLost(ex) && !ct.IsCancellationRequested)
        {
            // The session may have been ended (by the user's own KILL from a second query, say) between a
            // statement that set the account's password and the check after it: nothing says it did not.
            await RestoreAfterLossAsync(server, database, account, password, ex);
            throw new EngineException($"The session on {server.Host}:{server.Port} ended while the statement ran: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is MySqlException or IOException or InvalidOperationException)
        {
            // The caller gave up as the statement failed or its session went: the statement may have run all
            // the same, so the same check as a cancelled one.
            await killing;
            await RestoreUnlessIntactAsync(connection, server, database, account, password, mariaDb, savepoint);
            ct.ThrowIfCancellationRequested();
            throw new EngineException($"The statement on {server.Host}:{server.Port} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Ends JitGate's transaction; when the session cannot confirm that it was still open (the statement ended
    /// it, or the session no longer answers), puts JitGate's password back and ends every session of the account.
    /// </summary>
    private static async Task RestoreUnlessIntactAsync(
        MySqlConnection connection, EngineServer server, string database, string account, string password, bool mariaDb, string savepoint)
    {
        if (await IsTransactionIntactAsync(connection, mariaDb, savepoint))
        {
            return;
        }

        await RestorePasswordAsync(server, account, password, endSessions: true, CancellationToken.None);
        MySqlConnections.ClearAccountPool(server, database, account);
    }

    /// <summary>
    /// <see cref="RestoreUnlessIntactAsync"/> for a session already lost. A restore that fails too (the server
    /// is gone) is left to the next reconcile, which sets the password again; the loss is what the caller hears.
    /// </summary>
    private static async Task RestoreAfterLossAsync(EngineServer server, string database, string account, string password, Exception loss)
    {
        try
        {
            await RestorePasswordAsync(server, account, password, endSessions: true, CancellationToken.None);
        }
        catch (EngineException ex)
        {
            throw new EngineException(
                $"The session on {server.Host}:{server.Port} ended while the statement ran ({loss.Message}). {ex.Message}", ex);
        }
        finally
        {
            MySqlConnections.ClearAccountPool(server, database, account);
        }
    }

    /// <summary>
    /// Ends the transaction; false when the statement had already ended JitGate's read-only transaction: no
    /// transaction is open (MariaDB's @@in_transaction; MySQL has none), or the open one lacks JitGate's
    /// savepoint. A statement that commits (MariaDB's SET PASSWORD does, implicitly) ends the transaction and
    /// its savepoints; a MariaDB compound statement (<c>BEGIN NOT ATOMIC … END</c>, which PREPARE accepts) may
    /// then start another, which only the savepoint tells apart.
    /// </summary>
    private static async Task<bool> FinishAsync(MySqlConnection connection, bool mariaDb, string savepoint)
    {
        // Never cancelled: the transaction must end even when the caller gave up.
        await using var finish = new MySqlCommand(
            (mariaDb ? "SELECT @@in_transaction; " : "SELECT 1; ")
            + $"ROLLBACK TO SAVEPOINT {savepoint}; ROLLBACK; DEALLOCATE PREPARE jitgate_statement; SET @jitgate_statement = NULL", connection);
        try
        {
            return Convert.ToInt64(await finish.ExecuteScalarAsync(CancellationToken.None), CultureInfo.InvariantCulture) == 1;
        }
        catch (MySqlException ex) when (ex.Number == SavepointDoesNotExist)
        {
            // The batch stopped at the savepoint: end whatever transaction the statement left open. The
            // session is not used again (the caller clears the account's pool).
            await RollbackAsync(connection);
            return false;
        }
    }

    // ER_SP_DOES_NOT_EXIST, "SAVEPOINT … does not exist" (MariaDB and MySQL error reference).
    private const int SavepointDoesNotExist = 1305;

    /// <summary>
    /// Ends the transaction as <see cref="FinishAsync"/> does; true only when the session answers that its
    /// transaction was still open. A session that cannot answer cannot vouch for it (the pool discards it).
    /// </summary>
    private static async Task<bool> IsTransactionIntactAsync(MySqlConnection connection, bool mariaDb, string savepoint)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return false;
        }

        try
        {
            return await FinishAsync(connection, mariaDb, savepoint);
        }
        catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    private static async Task RollbackAsync(MySqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new MySqlCommand("ROLLBACK; SET @jitgate_statement = NULL", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException)
        {
            // A session that cannot even roll back is not used again: the pool discards broken sessions,
            // and the reset on reuse ends any transaction it had.
        }
    }

    /// <summary>Reads one row, each value counted against the budget; null when the row would cross the byte cap.</summary>
    private static object?[]? ReadRow(MySqlDataReader reader, AnswerBudget budget)
    {
        var row = new object?[reader.FieldCount];
        if (!budget.TryTake(2))
        {
            return null;
        }

        for (var i = 0; i < row.Length; i++)
        {
            row[i] = MySqlValues.Read(reader, i);
            if (!budget.TryTake(MySqlValues.JsonSize(row[i])))
            {
                return null;
            }
        }

        return row;
    }

    /// <summary><c>KILL QUERY</c> on the session as the instance admin (CONNECTION ADMIN); the session itself stays open.</summary>
    private static async Task KillQueryAsync(EngineServer server, int thread)
    {
        try
        {
            await using var admin = await MySqlConnections.OpenAdminAsync(server, CancellationToken.None);
            await MySqlConnections.ExecuteAsync(admin, $"KILL QUERY {thread.ToString(CultureInfo.InvariantCulture)}", CancellationToken.None);
        }
        catch (Exception ex) when (ex is MySqlException or EngineException)
        {
            // Finished meanwhile (unknown thread), or the server is gone: the command's own timeout is the backstop.
        }
    }

    /// <summary>
    /// Puts JitGate's password back on an account without touching anything else (its lock stays as it is);
    /// with <paramref name="endSessions"/>, then ends every session of the account.
    /// </summary>
    private static async Task RestorePasswordAsync(EngineServer server, string account, string password, bool endSessions, CancellationToken ct)
    {
        try
        {
            await using var admin = await MySqlConnections.OpenAdminAsync(server, ct);
            await MySqlConnections.ExecuteAsync(admin, $"ALTER USER IF EXISTS {MySqlSql.Account(account)} IDENTIFIED BY {MySqlSql.Literal(password)}", ct);
            if (endSessions)
            {
                await MySqlSessions.KillAsync(admin, [account], ct);
            }
        }
        catch (Exception ex) when (ex is MySqlException or TimeoutException or InvalidOperationException or IOException && !ct.IsCancellationRequested)
        {
            throw new EngineException($"Account {account}'s password could not be put back: {ex.Message}", ex);
        }
    }
}
