using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// The engine side of the reconciler on MySQL and MariaDB: makes a JitGate account hold exactly what a
/// principal's active bindings give in one database, ends access, and drops the account. Every operation
/// is idempotent, runs as the instance admin (never a superuser) and reads the grant tables back.
/// </summary>
public static class MySqlAccess
{
    /// <summary>
    /// Makes the engine match <paramref name="desired"/>: creates the account <c>'name'@'%'</c> if missing,
    /// sets its password (every time: the account may have changed its own), unlocks it, grants SELECT on
    /// exactly the granted tables and views (for <see cref="ReadGrant.Everything"/>: on the database as a
    /// whole, or table by table when the admin may hand out only some), and revokes everything else the
    /// account holds anywhere. When anything was revoked the account's sessions are killed, because a session
    /// keeps database-level privileges it already had.
    /// </summary>
    /// <param name="server">The instance and its admin login.</param>
    /// <param name="database">The database the account is for.</param>
    /// <param name="account">The account's user name, matching <c>^jit_[a-z0-9_]{1,28}$</c>.</param>
    /// <param name="password">The account's password (letters and digits).</param>
    /// <param name="desired">What the account may read.</param>
    /// <param name="validUntil">
    /// Not set on the server: neither engine has a login deadline finer than days (PASSWORD EXPIRE INTERVAL),
    /// so JitGate's reconciler locks the account when access ends.
    /// </param>
    /// <param name="ct">Cancels the work between statements.</param>
    /// <returns>What changed; <see cref="RoleReport.Changed"/> is false when the engine already matched.</returns>
    /// <exception cref="EngineException">
    /// The engine could not be made to match. When the account kept privileges JitGate cannot revoke, it is
    /// also locked and its sessions killed, so access fails closed until a DBA fixes it.
    /// </exception>
    public static async Task<RoleReport> ReconcileAsync(
        EngineServer server, string database, string account, string password, ReadGrant desired, DateTimeOffset? validUntil, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        MySqlSql.ValidateAccount(account, nameof(account));
        ArgumentNullException.ThrowIfNull(desired);
        _ = validUntil;

        await using var connection = await MySqlConnections.OpenAdminAsync(server, ct);
        var mariaDb = MySqlConnections.IsMariaDb(connection);
        var name = MySqlSql.Account(account);
        var changes = new List<string>();
        var rows = await MySqlGrantTables.ReadAccountsAsync(connection, mariaDb, [account], ct);
        var created = !rows.TryGetValue(account, out var row);
        // A holder without a bound on sessions could fill max_connections and keep the admin out (EngineServer.LoginConnectionLimit).
        var maxSessions = Math.Max(server.LoginConnectionLimit, 0);
        var limit = FormattableString.Invariant($"WITH MAX_USER_CONNECTIONS {maxSessions}");
        // Why every session of the account ends once privileges match (after the revokes, so that a kill that
        // fails leaves nothing more readable than granted); null when none need to.
        string? endSessions = null;
        await RunAsync(account, async () =>
        {
            if (created)
            {
                // MySQL 8 only: a self-service password change then needs the current password, which the
                // query accounts' users never see. MariaDB has no such option (README.md).
                await MySqlConnections.ExecuteAsync(connection,
                    $"CREATE USER {name} IDENTIFIED BY {MySqlSql.Literal(password)} {limit} PASSWORD EXPIRE NEVER{(mariaDb ? "" : " PASSWORD REQUIRE CURRENT")} ACCOUNT UNLOCK", ct);
                return;
            }

            if (row!.IsRole)
            {
                throw new EngineException($"{account} is a role, not an account; JitGate refuses to manage it. A DBA must drop it (DROP ROLE {account}).");
            }

            await MySqlConnections.ExecuteAsync(connection, $"ALTER USER {name} IDENTIFIED BY {MySqlSql.Literal(password)} {limit} PASSWORD EXPIRE NEVER ACCOUNT UNLOCK", ct);
            if (row.Locked)
            {
                changes.Add("account unlocked");
            }

            if (row.MaxUserConnections != maxSessions)
            {
                changes.Add(FormattableString.Invariant($"MAX_USER_CONNECTIONS {maxSessions}"));
            }

            if (mariaDb && MySqlPasswords.WasChanged(row, password))
            {
                // MariaDB lets any account SET PASSWORD on itself. Whoever did could log in with their own
                // password until the line above: those sessions end as well.
                changes.Add("password put back: the account had changed it");
                endSessions = "its password had been changed";
            }

            // A lower limit stops new sessions only: when more are open than it allows, they all end. Checked on
            // every pass, not only when the limit changes, so an end that failed is done next time.
            if (maxSessions > 0 && (await MySqlSessions.ListAsync(connection, [account], null, ct)).Count > maxSessions)
            {
                endSessions ??= "more were open than the connection limit";
            }
        }, ct);

        var granted = new List<string>();
        var (wanted, missing, notGrantable) = await ResolveAsync(connection, mariaDb, database, account, desired, granted, ct);
        var revoked = new List<string>();
        var held = await MySqlGrantTables.ReadHeldAsync(connection, mariaDb, [account], ct);
        var unwanted = held.Where(h => !wanted.Covers(h)).ToList();
        if (unwanted.Any(h => !wanted.RevokableOneByOne(h)))
        {
            // Only REVOKE ALL takes away what someone else granted (a global privilege, a role, a grant
            // option): it needs CREATE USER alone. The wanted grants are given back just after.
            await RunAsync(account, () => MySqlConnections.ExecuteAsync(connection, $"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {name}", ct), ct);
            revoked.AddRange(unwanted.Select(h => h.Describe()));
            held = await MySqlGrantTables.ReadHeldAsync(connection, mariaDb, [account], ct);
        }
        else
        {
            foreach (var h in unwanted)
            {
                var target = h.Level == "database" ? MySqlSql.DatabaseLevel(database) : MySqlSql.Table(database, h.Name!);
                await RunAsync(account, () => MySqlConnections.ExecuteAsync(connection, $"REVOKE SELECT ON {target} FROM {name}", ct), ct);
                revoked.Add(h.Describe());
            }
        }

        foreach (var (target, description) in wanted.Missing(held))
        {
            if (await TryGrantAsync(connection, target, name, ct))
            {
                granted.Add(description);
            }
        }

        held = await MySqlGrantTables.ReadHeldAsync(connection, mariaDb, [account], ct);
        var leftOver = held.Where(h => !wanted.Covers(h)).ToList();
        if (leftOver.Count > 0)
        {
            // More than granted must never stay usable: no logins, no open sessions, until a DBA fixes it.
            await MySqlConnections.ExecuteAsync(connection, $"ALTER USER {name} ACCOUNT LOCK", ct);
            await MySqlSessions.KillAsync(connection, [account], ct);
            MySqlConnections.ClearAccountPool(server, database, account);
            throw new EngineException(
                $"Account {account} holds privileges that JitGate's admin cannot revoke: {string.Join("; ", leftOver.Select(h => h.Describe()))}. "
                + $"A DBA must revoke them (REVOKE ... FROM {name}); until then the account is locked.");
        }

        var stillMissing = wanted.Missing(held);
        if (stillMissing.Count > 0)
        {
            throw new EngineException(
                $"GRANT did nothing for account {account}: {string.Join("; ", stillMissing.Select(m => m.Description))}. "
                + "JitGate's admin needs SELECT on each WITH GRANT OPTION (see the MySQL README).");
        }

        var terminated = 0;
        if (revoked.Count > 0 || endSessions is not null)
        {
            terminated = (await MySqlSessions.KillAsync(connection, [account], ct)).Values.Sum();
            MySqlConnections.ClearAccountPool(server, database, account);
            if (endSessions is not null)
            {
                changes.Add(FormattableString.Invariant($"{terminated} session(s) ended: {endSessions}"));
            }
        }

        return new RoleReport(created, changes, granted, revoked, missing, notGrantable, terminated);
    }

    /// <summary>
    /// Ends the account's access: <c>ACCOUNT LOCK</c> (no new session), every privilege revoked (nothing
    /// readable), then every session killed. Does nothing when the account does not exist.
    /// </summary>
    /// <exception cref="EngineException">A privilege could not be revoked; the account is locked all the same.</exception>
    public static async Task<RoleReport> EndAccessAsync(EngineServer server, string database, string account, CancellationToken ct)
    {
        var report = await EndAccessManyAsync(server, database, [account], ct);
        if (report.Failed.TryGetValue(account, out var left))
        {
            throw new EngineException(left, report);
        }

        return report.Roles.TryGetValue(account, out var one) ? one : new RoleReport(false, [], [], [], [], [], 0);
    }

    /// <summary>Accounts named in one statement (ALTER USER a, b ... ACCOUNT LOCK; REVOKE ALL ... FROM a, b ...).</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Ends the access of many accounts at once, with the effect of <see cref="EndAccessAsync"/> on each:
    /// one <c>ALTER USER … ACCOUNT LOCK</c> and one <c>REVOKE ALL PRIVILEGES, GRANT OPTION</c> naming up to
    /// <see cref="BatchSize"/> accounts, their sessions killed and waited for, then the grant tables and the
    /// process list read back. Accounts that do not exist are skipped.
    /// </summary>
    /// <exception cref="EngineException">
    /// An account is still unlocked, still holds a privilege or still has a session; the message names each,
    /// and <see cref="EngineException.EndAccess"/> says which accounts did end.
    /// </exception>
    public static async Task<EndRolesReport> EndAccessManyAsync(
        EngineServer server, string database, IReadOnlyCollection<string> accounts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentNullException.ThrowIfNull(accounts);
        foreach (var account in accounts)
        {
            MySqlSql.ValidateAccount(account, nameof(accounts));
        }

        var names = accounts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        if (names.Length == 0)
        {
            return new EndRolesReport(new Dictionary<string, RoleReport>(), [], failed);
        }

        await using var connection = await MySqlConnections.OpenAdminAsync(server, ct);
        var mariaDb = MySqlConnections.IsMariaDb(connection);
        var before = await MySqlGrantTables.ReadAccountsAsync(connection, mariaDb, names, ct);
        var missing = names.Where(n => !before.ContainsKey(n)).ToList();
        foreach (var (name, _) in before.Where(r => r.Value.IsRole))
        {
            failed[name] = $"{name} is a role, which JitGate refuses to manage";
        }

        var ending = before.Where(r => !r.Value.IsRole).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();
        var locking = ending.Where(a => !before[a].Locked).ToArray();
        await ForEachBatchAsync(connection, locking, batch => $"ALTER USER {string.Join(", ", batch.Select(MySqlSql.Account))} ACCOUNT LOCK", ct);

        var held = (await MySqlGrantTables.ReadHeldAsync(connection, mariaDb, ending, ct)).ToLookup(h => h.Account, StringComparer.Ordinal);
        var holding = ending.Where(a => held[a].Any()).ToArray();
        await ForEachBatchAsync(connection, holding, batch => $"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {string.Join(", ", batch.Select(MySqlSql.Account))}", ct);

        // Sessions end even when a privilege could not be revoked: no account can log in again either way.
        var killed = new Dictionary<string, int>(StringComparer.Ordinal);
        string? killError = null;
        try
        {
            killed = await MySqlSessions.KillAsync(connection, ending, ct);
        }
        catch (EngineException ex)
        {
            killError = ex.Message;
        }

        foreach (var account in ending)
        {
            MySqlConnections.ClearAccountPool(server, database, account);
        }

        var after = await MySqlGrantTables.ReadAccountsAsync(connection, mariaDb, ending, ct);
        var stillHeld = (await MySqlGrantTables.ReadHeldAsync(connection, mariaDb, ending, ct)).ToLookup(h => h.Account, StringComparer.Ordinal);
        var sessions = (await MySqlSessions.ListAsync(connection, ending, null, ct)).ToLookup(s => s.Account, StringComparer.Ordinal);
        var roles = new Dictionary<string, RoleReport>(StringComparer.Ordinal);
        foreach (var account in ending)
        {
            var left = new List<string>();
            if (after.TryGetValue(account, out var state) && !state.Locked)
            {
                left.Add("it is not locked");
            }

            if (stillHeld[account].Any())
            {
                left.Add("it still holds " + string.Join("; ", stillHeld[account].Select(h => h.Describe())));
            }

            if (sessions[account].Any())
            {
                left.Add($"{sessions[account].Count()} session(s) are still open{(killError is null ? "" : $" ({killError})")}");
            }

            if (left.Count > 0)
            {
                failed[account] = $"Access of {account} did not fully end: {string.Join("; ", left)}. A DBA must fix it (ALTER USER {MySqlSql.Account(account)} ACCOUNT LOCK; REVOKE ALL PRIVILEGES, GRANT OPTION FROM {MySqlSql.Account(account)}).";
            }

            roles[account] = new RoleReport(false, before[account].Locked ? [] : ["account locked"], [],
                held[account].Select(h => h.Describe()).ToList(), [], [], killed.GetValueOrDefault(account));
        }

        var report = new EndRolesReport(roles, missing, failed);
        if (failed.Count > 0)
        {
            throw new EngineException(string.Join(" ", failed.Values), report);
        }

        return report;
    }

    /// <summary>Drops the account: its access ended first, then <c>DROP USER</c>. True when there was one.</summary>
    public static async Task<bool> DropAccountAsync(EngineServer server, string database, string account, CancellationToken ct)
    {
        var report = await EndAccessManyAsync(server, database, [account], ct);
        if (report.Missing.Count > 0)
        {
            return false;
        }

        await using var connection = await MySqlConnections.OpenAdminAsync(server, ct);
        await MySqlConnections.ExecuteAsync(connection, $"DROP USER IF EXISTS {MySqlSql.Account(account)}", ct);
        return true;
    }

    /// <summary>
    /// The wanted privileges, and the granted tables the database does not have. For Everything, SELECT on
    /// the database as a whole when the admin may hand it out (tried at once: it adds nothing beyond
    /// Everything), else each table the admin may hand out; the others are reported as not grantable.
    /// </summary>
    private static async Task<(MySqlWanted Wanted, List<TableRef> Missing, List<TableRef> NotGrantable)> ResolveAsync(
        MySqlConnection connection, bool mariaDb, string database, string account, ReadGrant desired, List<string> granted, CancellationToken ct)
    {
        var all = await MySqlCatalog.TableNamesAsync(connection, database, ct);
        var missing = desired.GrantedTables
            .Where(g => !string.Equals(g.Schema, database, StringComparison.OrdinalIgnoreCase)
                        || !all.Any(t => string.Equals(t, g.Name, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (!desired.AllTables)
        {
            return (new MySqlWanted(database, false, all.Where(t => desired.Allows(database, t)).ToList()), missing, []);
        }

        var name = MySqlSql.Account(account);
        var held = await MySqlGrantTables.ReadHeldAsync(connection, mariaDb, [account], ct);
        if (held.Any(h => h is { Level: "database", Privilege: "SELECT", Grantable: false } && h.Database == MySqlSql.DatabasePattern(database)))
        {
            return (new MySqlWanted(database, true, []), missing, []);
        }

        if (await TryGrantAsync(connection, MySqlSql.DatabaseLevel(database), name, ct))
        {
            granted.Add($"SELECT on database {database}");
            return (new MySqlWanted(database, true, []), missing, []);
        }

        var tables = new List<string>();
        var notGrantable = new List<TableRef>();
        foreach (var table in all)
        {
            if (held.Any(h => h is { Level: "table", Privilege: "SELECT", Grantable: false } && h.Database == database && h.Name == table))
            {
                tables.Add(table);
            }
            else if (await TryGrantAsync(connection, MySqlSql.Table(database, table), name, ct))
            {
                tables.Add(table);
                granted.Add($"SELECT on table {database}.{table}");
            }
            else
            {
                notGrantable.Add(new TableRef(database, table));
            }
        }

        return (new MySqlWanted(database, false, tables), missing, notGrantable);
    }

    /// <summary>GRANT SELECT; false when the admin may not hand it out (1044 database, 1142 table, 1227 other).</summary>
    private static async Task<bool> TryGrantAsync(MySqlConnection connection, string target, string account, CancellationToken ct)
    {
        try
        {
            await MySqlConnections.ExecuteAsync(connection, $"GRANT SELECT ON {target} TO {account}", ct);
            return true;
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.TableAccessDenied
                                            or MySqlErrorCode.SpecifiedAccessDeniedError or MySqlErrorCode.AccessDenied)
        {
            return false;
        }
    }

    /// <summary>Runs one batch statement per <see cref="BatchSize"/> accounts; a batch that fails runs account by account, so one bad account does not stop the rest.</summary>
    private static async Task ForEachBatchAsync(MySqlConnection connection, string[] accounts, Func<string[], string> statement, CancellationToken ct)
    {
        foreach (var batch in accounts.Chunk(BatchSize))
        {
            try
            {
                await MySqlConnections.ExecuteAsync(connection, statement(batch), ct);
            }
            catch (MySqlException) when (batch.Length > 1 && !ct.IsCancellationRequested)
            {
                foreach (var account in batch)
                {
                    try
                    {
                        await MySqlConnections.ExecuteAsync(connection, statement([account]), ct);
                    }
                    catch (MySqlException)
                    {
                        // The read-back names what is left.
                    }
                }
            }
            catch (MySqlException) when (!ct.IsCancellationRequested)
            {
                // The read-back names what is left.
            }
        }
    }

    /// <summary>Runs one change to an account, turning the server's refusal into an <see cref="EngineException"/> that names the account.</summary>
    private static async Task RunAsync(string account, Func<Task> work, CancellationToken ct)
    {
        try
        {
            await work();
        }
        catch (MySqlException ex) when (!ct.IsCancellationRequested)
        {
            throw new EngineException($"The server refused a change to account {account}: {ex.Message}", ex);
        }
    }
}
