using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// The engine side of the reconciler: makes a JitGate login role hold exactly what a principal's active
/// bindings give in one database, ends access, and drops the role. Every operation is idempotent and
/// runs as the instance admin; none needs a superuser.
/// </summary>
public static class PostgresAccess
{
    /// <summary>
    /// Makes the engine match <paramref name="desired"/>: creates the LOGIN role if missing (NOINHERIT,
    /// no memberships), sets its password and VALID UNTIL, grants CONNECT on the database, USAGE on the
    /// schemas of granted tables and SELECT on exactly the granted tables and views (for
    /// <see cref="ReadGrant.Everything"/>: every one outside the system schemas that the admin holds
    /// SELECT WITH GRANT OPTION on, in a schema it may use), and revokes everything else the role holds
    /// in this database. When anything was revoked, the role's sessions are ended after the REVOKE, because
    /// a native client's open session would otherwise keep what it read before.
    /// </summary>
    /// <param name="server">The instance and its admin login.</param>
    /// <param name="database">The database the role is for.</param>
    /// <param name="roleName">The role's deterministic name, matching <c>^jit_[a-z0-9_]{1,50}$</c>.</param>
    /// <param name="password">The role's password (printable ASCII); the server only ever receives its SCRAM verifier.</param>
    /// <param name="desired">What the role may read.</param>
    /// <param name="validUntil">When logins stop being accepted; null for no limit.</param>
    /// <param name="ct">Cancels the work between statements.</param>
    /// <returns>What changed; <see cref="RoleReport.Changed"/> is false when the engine already matched.</returns>
    /// <exception cref="EngineException">
    /// The engine could not be made to match. When the role kept privileges JitGate cannot revoke, it is
    /// also switched to NOLOGIN and its sessions are ended, so access fails closed until a DBA fixes it.
    /// </exception>
    public static async Task<RoleReport> ReconcileAsync(
        EngineServer server, string database, string roleName, string password, ReadGrant desired,
        DateTimeOffset? validUntil, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));
        ArgumentNullException.ThrowIfNull(desired);
        var verifier = ScramVerifier.Create(password);

        await using var connection = await OpenAsync(server, database, ct);
        await using var watch = PostgresBlockers.Watch(server, database, connection);
        var (tables, missing, notGrantable) = await ResolveTablesAsync(connection, desired, ct);
        var sequences = await OwnedSequencesAsync(connection, tables, ct);
        var role = PostgresSql.Ident(roleName);
        var changes = new List<string>();
        var existing = await ReadRoleAsync(connection, roleName, validUntil, ct);
        if (existing is null)
        {
            await PostgresPrivileges.ExecuteAsync(connection,
                $"CREATE ROLE {role} WITH LOGIN NOINHERIT NOCREATEDB NOCREATEROLE CONNECTION LIMIT {ConnectionLimit(server)} "
                + $"PASSWORD {PostgresSql.Literal(verifier)} VALID UNTIL {PostgresSql.Timestamp(validUntil)}", ct);
        }
        else
        {
            changes.AddRange(await ConformRoleAsync(connection, roleName, existing, ConnectionLimit(server), ct));
            await PostgresPrivileges.ExecuteAsync(connection, $"ALTER ROLE {role} PASSWORD {PostgresSql.Literal(verifier)}", ct);
            if (!existing.ValidUntilMatches)
            {
                await PostgresPrivileges.ExecuteAsync(connection, $"ALTER ROLE {role} VALID UNTIL {PostgresSql.Timestamp(validUntil)}", ct);
                changes.Add($"VALID UNTIL {validUntil?.ToString("O") ?? "infinity"}");
            }
        }

        var applied = await PostgresPrivileges.ApplyAsync(
            connection, database, roleName, new PostgresPrivileges.Wanted(true, tables, sequences), ct);
        if (applied.LeftOver.Count > 0)
        {
            // More than granted must never stay usable: no logins, no open sessions, until a DBA fixes it.
            await DisableLoginAsync(connection, roleName, ct);
            await PostgresPrivileges.TerminateSessionsAsync(connection, roleName, ct);
            PostgresConnections.ClearRolePool(server, database, roleName);
        }

        applied.ThrowIfIncomplete(roleName);
        var terminated = 0;
        if (applied.Revoked.Count > 0)
        {
            terminated = await PostgresPrivileges.TerminateSessionsAsync(connection, roleName, ct);
            PostgresConnections.ClearRolePool(server, database, roleName);
        }

        return new RoleReport(existing is null, changes, applied.Granted, applied.Revoked, missing, notGrantable, terminated);
    }

    /// <summary>
    /// Ends the role's access to <paramref name="database"/>: NOLOGIN and VALID UNTIL now (so no new
    /// session starts), every privilege in the database revoked (so open sessions can read nothing more),
    /// then every session of the role terminated. Does nothing when the role does not exist.
    /// </summary>
    /// <exception cref="EngineException">A privilege could not be revoked; the role still cannot log in.</exception>
    public static async Task<RoleReport> EndAccessAsync(
        EngineServer server, string database, string roleName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));

        await using var connection = await OpenAsync(server, database, ct);
        await using var watch = PostgresBlockers.Watch(server, database, connection);
        var changes = new List<string>();
        var existing = await ReadRoleAsync(connection, roleName, null, ct);
        if (existing is null)
        {
            return new RoleReport(false, [], [], [], [], [], 0);
        }

        if (existing.CanLogin || !existing.Expired)
        {
            await DisableLoginAsync(connection, roleName, ct);
            changes.Add("login disabled");
        }

        var applied = await PostgresPrivileges.ApplyAsync(connection, database, roleName, new PostgresPrivileges.Wanted(false, []), ct);
        // Sessions end even when a privilege could not be revoked: the role can no longer log in either way.
        var terminated = await PostgresPrivileges.TerminateSessionsAsync(connection, roleName, ct);
        PostgresConnections.ClearRolePool(server, database, roleName);
        applied.ThrowIfIncomplete(roleName);
        return new RoleReport(false, changes, [], applied.Revoked, [], [], terminated);
    }

    /// <summary>Roles named in one statement (REVOKE ... FROM r1, r2, ...) and statements sent in one round trip.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Ends the access of many roles to <paramref name="database"/> at once, with the effect of
    /// <see cref="EndAccessAsync"/> on each: NOLOGIN and VALID UNTIL now for every role that can still log
    /// in, one REVOKE per object naming every role that holds something on it, every session of the
    /// roles signalled to end and waited for, then the catalog and pg_stat_activity read back. Roles that
    /// do not exist are skipped. The work costs a few round trips whatever the number of roles (up to
    /// <see cref="BatchSize"/> per statement), where ending them one by one costs several per role.
    /// </summary>
    /// <param name="server">The instance and its admin login.</param>
    /// <param name="database">The database the roles are for.</param>
    /// <param name="roleNames">Role names matching <c>^jit_[a-z0-9_]{1,50}$</c>; duplicates are ignored.</param>
    /// <param name="ct">Cancels the work between statements.</param>
    /// <returns>What changed, role by role; nothing on a second call.</returns>
    /// <exception cref="EngineException">
    /// A role can still log in, still holds a privilege (granted by someone the admin cannot revoke for),
    /// still has a session, or is a superuser. The message names each; <see cref="EngineException.EndAccess"/>
    /// says which roles did end. Every other role was still ended.
    /// </exception>
    public static async Task<EndRolesReport> EndAccessManyAsync(
        EngineServer server, string database, IReadOnlyCollection<string> roleNames, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentNullException.ThrowIfNull(roleNames);
        foreach (var name in roleNames)
        {
            PostgresRoleName.Validate(name, nameof(roleNames));
        }

        var names = roleNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        if (names.Length == 0)
        {
            return new EndRolesReport(new Dictionary<string, RoleReport>(), [], failed);
        }

        await using var admin = new AdminConnection(server, database);
        var before = await ReadRolesAsync(await admin.OpenAsync(ct), names, ct);
        var missing = names.Where(n => !before.ContainsKey(n)).ToList();
        foreach (var (name, _) in before.Where(r => r.Value.Super))
        {
            failed[name] = $"{name} is a superuser, which JitGate refuses to manage";
        }

        var roles = before.Where(r => !r.Value.Super).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();
        var disable = roles.Where(r => before[r].CanLogin || !before[r].Expired).ToHashSet(StringComparer.Ordinal);
        var now = PostgresSql.Timestamp(DateTimeOffset.UtcNow);
        var serverSaid = await ExecuteBatchAsync(admin,
            disable.Order(StringComparer.Ordinal).Select(r => $"ALTER ROLE {PostgresSql.Ident(r)} WITH NOLOGIN VALID UNTIL {now}"), ct);

        var held = await PostgresPrivileges.ReadHeldManyAsync(admin.Connection, roles, ct);
        var revokeSaid = await ExecuteBatchAsync(admin, RevokeStatements(held), ct);
        serverSaid ??= revokeSaid;

        // Sessions end even when a privilege could not be revoked: no role can log in again either way.
        var terminated = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, RoleLogin> after;
        for (var round = 1; ; round++)
        {
            try
            {
                foreach (var (role, count) in await PostgresPrivileges.TerminateSessionsAsync(admin.Connection, roles, ct))
                {
                    terminated[role] = terminated.GetValueOrDefault(role) + count;
                }
            }
            catch (EngineException ex)
            {
                serverSaid ??= ex.Message;
            }

            after = await ReadRolesAsync(admin.Connection, roles, ct);
            // A login already past authentication when NOLOGIN committed shows up only now; one more round ends it.
            if (round == 2 || !after.Values.Any(r => r.Sessions > 0))
            {
                break;
            }
        }

        foreach (var name in names)
        {
            PostgresConnections.ClearRolePool(server, database, name);
        }

        var left = (await PostgresPrivileges.ReadHeldManyAsync(admin.Connection, roles, ct)).ToLookup(h => h.Role, h => h.Held);
        var revoked = held.ToLookup(h => h.Role, h => h.Held);
        var reports = new Dictionary<string, RoleReport>(StringComparer.Ordinal);
        foreach (var role in before.Keys)
        {
            var remaining = left[role].ToList();
            reports[role] = new RoleReport(
                false,
                disable.Contains(role) ? ["login disabled"] : [],
                [],
                revoked[role].Except(remaining).Select(h => h.Describe()).Distinct(StringComparer.Ordinal).ToList(),
                [],
                [],
                terminated.GetValueOrDefault(role));
            if (failed.ContainsKey(role) || !after.TryGetValue(role, out var state))
            {
                continue;
            }

            var problems = new List<string>();
            if (state.CanLogin || !state.Expired)
            {
                problems.Add("can still log in");
            }

            problems.AddRange(remaining.Select(h => $"holds {h.Describe()}{(h.Grantable ? " with grant option" : "")} granted by {h.Grantor}"));
            if (state.Sessions > 0)
            {
                problems.Add($"has {state.Sessions} session(s) open");
            }

            if (problems.Count > 0)
            {
                failed[role] = $"{role} {string.Join(", ", problems)}";
            }
        }

        var report = new EndRolesReport(reports, missing, failed);
        if (failed.Count > 0)
        {
            const int Shown = 20;
            throw new EngineException(
                $"Access of {failed.Count} of {before.Count} role(s) in database '{database}' did not fully end: "
                + string.Join("; ", failed.Values.Order(StringComparer.Ordinal).Take(Shown))
                + (failed.Count > Shown ? $"; and {failed.Count - Shown} more" : "")
                + (serverSaid is null ? "" : $" (the server said: {serverSaid})")
                + ". A role that cannot log in stays so; a superuser or the object's owner must revoke what JitGate's admin cannot.",
                report);
        }

        return report;
    }

    /// <summary>One REVOKE per object (and column) naming every role that holds something on it, at most <see cref="BatchSize"/> roles each.</summary>
    private static IEnumerable<string> RevokeStatements(List<(string Role, PostgresPrivileges.Held Held)> held)
    {
        foreach (var target in held.GroupBy(h => (h.Held.Target, h.Held.Column)).OrderBy(g => g.Key.Target, StringComparer.Ordinal).ThenBy(g => g.Key.Column, StringComparer.Ordinal))
        {
            var privileges = string.Join(", ", target.Select(h => h.Held.Privilege).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(p => target.Key.Column is null ? p : $"{p} ({PostgresSql.Ident(target.Key.Column)})"));
            foreach (var chunk in target.Select(h => h.Role).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Chunk(BatchSize))
            {
                yield return $"REVOKE {privileges} ON {target.Key.Target} FROM {string.Join(", ", chunk.Select(PostgresSql.Ident))}";
            }
        }
    }

    /// <summary>
    /// Runs statements JitGate built, <see cref="BatchSize"/> per round trip and transaction. Returns null
    /// when all succeeded, else what the server said; the caller reads the catalog back either way.
    /// </summary>
    /// <remarks>
    /// A chunk runs as one transaction (one commit for many roles). When a statement in it fails, the
    /// chunk is rolled back: after "tuple concurrently updated" it is run again on a new connection; after anything
    /// else it runs once more with an error barrier after each statement, so that one statement the
    /// admin may not run (a privilege on an object it has no rights on) does not undo the others.
    /// </remarks>
    private static async Task<string?> ExecuteBatchAsync(AdminConnection admin, IEnumerable<string> statements, CancellationToken ct)
    {
        string? serverSaid = null;
        foreach (var chunk in statements.Chunk(BatchSize))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await RunBatchAsync(admin.Connection, chunk, errorBarriers: false, ct);
                    break;
                }
                catch (PostgresException ex) when (PostgresPrivileges.IsConcurrentUpdate(ex) && attempt < PostgresPrivileges.ConcurrentUpdateAttempts)
                {
                    await Task.Delay(PostgresPrivileges.ConcurrentUpdateBackoff(attempt), ct);
                    await admin.ReopenAsync(ct);
                }
                catch (PostgresException ex)
                {
                    serverSaid ??= ex.MessageText;
                    await admin.ReopenIfBrokenAsync(ct);
                    try
                    {
                        await RunBatchAsync(admin.Connection, chunk, errorBarriers: true, ct);
                    }
                    catch (NpgsqlException barrier) when (barrier is PostgresException || barrier.InnerException is AggregateException)
                    {
                        // Whatever is left shows in the read-back, which names it. With error barriers Npgsql
                        // gathers the failures of several statements into one exception.
                        await admin.ReopenIfBrokenAsync(ct);
                    }

                    break;
                }
            }
        }

        return serverSaid;
    }

    private static async Task RunBatchAsync(NpgsqlConnection connection, string[] statements, bool errorBarriers, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection) { EnableErrorBarriers = errorBarriers };
        foreach (var sql in statements)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The admin connection of one operation, replaced when Npgsql has closed it after an error.</summary>
    private sealed class AdminConnection(EngineServer server, string database) : IAsyncDisposable
    {
        private NpgsqlConnection? _connection;

        public NpgsqlConnection Connection => _connection ?? throw new InvalidOperationException("Not open.");

        private PostgresBlockers? _watch;

        public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
        {
            _connection = await PostgresAccess.OpenAsync(server, database, ct);
            _watch = PostgresBlockers.Watch(server, database, _connection);
            return _connection;
        }

        public async Task ReopenAsync(CancellationToken ct)
        {
            await CloseAsync();
            await OpenAsync(ct);
        }

        public Task ReopenIfBrokenAsync(CancellationToken ct) =>
            _connection?.State == System.Data.ConnectionState.Open ? Task.CompletedTask : ReopenAsync(ct);

        public ValueTask DisposeAsync() => CloseAsync();

        private async ValueTask CloseAsync()
        {
            if (_watch is not null)
            {
                await _watch.DisposeAsync();
                _watch = null;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
    }

    private sealed record RoleLogin(bool CanLogin, bool Expired, bool Super, int Sessions);

    private static async Task<Dictionary<string, RoleLogin>> ReadRolesAsync(NpgsqlConnection connection, string[] roleNames, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            select r.rolname::text, r.rolcanlogin, coalesce(r.rolvaliduntil <= now(), false), r.rolsuper,
                   (select count(*) from pg_stat_activity a where a.usesysid = r.oid and a.pid <> pg_backend_pid())::int
            from pg_roles r where r.rolname = any($1::name[])
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roleNames });
        var roles = new Dictionary<string, RoleLogin>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            roles[reader.GetString(0)] = new RoleLogin(reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetInt32(4));
        }

        return roles;
    }

    /// <summary>
    /// Drops the role: ends its access, then <c>DROP OWNED BY</c> (in <paramref name="database"/>: it
    /// revokes what the admin granted and drops anything the role created there) and <c>DROP ROLE</c>.
    /// </summary>
    /// <returns>True when a role was dropped, false when there was none.</returns>
    /// <exception cref="EngineException">Something still depends on the role (privileges granted by someone else, objects in another database).</exception>
    public static async Task<bool> DropRoleAsync(EngineServer server, string database, string roleName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));

        await using var connection = await OpenAsync(server, database, ct);
        await using var watch = PostgresBlockers.Watch(server, database, connection);
        if (await ReadRoleAsync(connection, roleName, null, ct) is null)
        {
            return false;
        }

        var role = PostgresSql.Ident(roleName);
        await DisableLoginAsync(connection, roleName, ct);
        await PostgresPrivileges.TerminateSessionsAsync(connection, roleName, ct);
        PostgresConnections.ClearRolePool(server, database, roleName);
        try
        {
            // DROP OWNED needs the privileges of the role; a CREATEROLE admin may grant itself membership.
            await PostgresPrivileges.ExecuteAsync(connection, $"GRANT {role} TO CURRENT_USER", ct);
            await PostgresPrivileges.ExecuteAsync(connection, $"DROP OWNED BY {role}", ct);
            await PostgresPrivileges.ExecuteAsync(connection, $"REVOKE {role} FROM CURRENT_USER", ct);
            await PostgresPrivileges.ExecuteAsync(connection, $"DROP ROLE {role}", ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DependentObjectsStillExist or PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new EngineException(
                $"Role {roleName} cannot be dropped: {ex.MessageText}{(ex.Detail is null ? "" : " (" + ex.Detail + ")")}. "
                + "It can no longer log in; a superuser or the objects' owner must revoke or drop what remains.", ex);
        }

        return true;
    }

    private sealed record RoleState(
        bool CanLogin, bool Super, bool Inherit, bool CreateDb, bool CreateRole, bool Replication, bool BypassRls,
        bool ValidUntilMatches, bool Expired, IReadOnlyList<string> MemberOf, int ConnectionLimit);

    private static async Task<RoleState?> ReadRoleAsync(NpgsqlConnection connection, string roleName, DateTimeOffset? validUntil, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            select r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
                   coalesce(r.rolvaliduntil, 'infinity') = $2::timestamptz,
                   coalesce(r.rolvaliduntil <= now(), false),
                   array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid
                         where m.member = r.oid order by 1),
                   r.rolconnlimit
            from pg_roles r where r.rolname = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roleName });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = validUntil is null ? "infinity" : validUntil.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new RoleState(
            reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4),
            reader.GetBoolean(5), reader.GetBoolean(6), reader.GetBoolean(7), reader.GetBoolean(8), reader.GetFieldValue<string[]>(9),
            reader.GetInt32(10));
    }

    /// <summary>Puts back the attributes a JitGate role must have: LOGIN, NOINHERIT, its connection limit, nothing else, no memberships.</summary>
    private static async Task<List<string>> ConformRoleAsync(NpgsqlConnection connection, string roleName, RoleState state, int connectionLimit, CancellationToken ct)
    {
        if (state.Super)
        {
            throw new EngineException($"Role {roleName} is a superuser; JitGate refuses to manage it. A superuser must drop or alter it.");
        }

        var role = PostgresSql.Ident(roleName);
        var attributes = new List<string>();
        if (!state.CanLogin)
        {
            attributes.Add("LOGIN");
        }

        if (state.Inherit)
        {
            attributes.Add("NOINHERIT");
        }

        if (state.CreateDb)
        {
            attributes.Add("NOCREATEDB");
        }

        if (state.CreateRole)
        {
            attributes.Add("NOCREATEROLE");
        }

        // Only a superuser can change these two; asking makes the failure say so.
        if (state.Replication)
        {
            attributes.Add("NOREPLICATION");
        }

        if (state.BypassRls)
        {
            attributes.Add("NOBYPASSRLS");
        }

        if (state.ConnectionLimit != connectionLimit)
        {
            attributes.Add(FormattableString.Invariant($"CONNECTION LIMIT {connectionLimit}"));
        }

        var changes = new List<string>();
        if (attributes.Count > 0)
        {
            await PostgresPrivileges.ExecuteAsync(connection, $"ALTER ROLE {role} WITH {string.Join(' ', attributes)}", ct);
            changes.Add("attributes " + string.Join(' ', attributes));
        }

        if (state.ConnectionLimit != connectionLimit && connectionLimit >= 0)
        {
            // A lower limit stops new sessions only; those already open over it end now. Only when the limit
            // changes: JitGate's admin cannot tell a session from a parallel query's worker (pg_stat_activity
            // hides backend_type from roles without pg_read_all_stats), and the server itself keeps the limit
            // after that. Not cancelled: the holder cannot stop it by dropping its own request.
            var over = await EndSessionsOverLimitAsync(connection, roleName, connectionLimit, CancellationToken.None);
            if (over > 0)
            {
                changes.Add(FormattableString.Invariant($"{over} session(s) over the connection limit ended"));
            }
        }

        foreach (var group in state.MemberOf)
        {
            await PostgresPrivileges.ExecuteAsync(connection, $"REVOKE {PostgresSql.Ident(group)} FROM {role}", ct);
            changes.Add($"membership in {group} removed");
        }

        return changes;
    }

    /// <summary>The role's CONNECTION LIMIT: the server's limit for this login, or -1 (none) when it has none.</summary>
    private static int ConnectionLimit(EngineServer server) => server.LoginConnectionLimit > 0 ? server.LoginConnectionLimit : -1;

    /// <summary>
    /// Ends the role's sessions past the first <paramref name="limit"/>, keeping the lowest process ids (usually
    /// the oldest: the admin cannot see backend_start of other roles' sessions without pg_read_all_stats).
    /// </summary>
    private static async Task<int> EndSessionsOverLimitAsync(NpgsqlConnection connection, string roleName, int limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            select coalesce(sum(case when pg_catalog.pg_terminate_backend(s.pid) then 1 else 0 end), 0)::int
            from (select pid, row_number() over (order by pid) as n
                  from pg_catalog.pg_stat_activity where usename = $1) s
            where s.n > $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roleName });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)limit });
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    private static Task DisableLoginAsync(NpgsqlConnection connection, string roleName, CancellationToken ct) =>
        PostgresPrivileges.ExecuteAsync(connection,
            $"ALTER ROLE {PostgresSql.Ident(roleName)} WITH NOLOGIN VALID UNTIL {PostgresSql.Timestamp(DateTimeOffset.UtcNow)}", ct);

    /// <summary>The granted tables that exist (every user table for Everything), and the granted ones that do not.</summary>
    private static async Task<(List<TableRef> Tables, List<TableRef> Missing, List<TableRef> NotGrantable)> ResolveTablesAsync(
        NpgsqlConnection connection, ReadGrant desired, CancellationToken ct)
    {
        var all = new List<(TableRef Table, bool Grantable)>();
        await using (var command = new NpgsqlCommand(
            $"""
            select n.nspname, c.relname,
                   has_table_privilege(c.oid, 'SELECT WITH GRANT OPTION') and has_schema_privilege(n.oid, 'USAGE')
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where {PostgresCatalog.UserRelations}
            order by 1, 2
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                all.Add((new TableRef(reader.GetString(0), reader.GetString(1)), reader.GetBoolean(2)));
            }
        }

        // Everything means every table the admin may hand out; the rest are reported, not failed on.
        // A table granted by name that the admin may not hand out fails the reconcile instead.
        var notGrantable = desired.AllTables ? all.Where(t => !t.Grantable).Select(t => t.Table).ToList() : [];
        var tables = all.Where(t => desired.AllTables ? t.Grantable : desired.Allows(t.Table.Schema, t.Table.Name))
            .Select(t => t.Table).ToList();
        var missing = desired.GrantedTables
            .Where(g => !all.Any(t => string.Equals(t.Table.Schema, g.Schema, StringComparison.OrdinalIgnoreCase)
                                     && string.Equals(t.Table.Name, g.Name, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        return (tables, missing, notGrantable);
    }

    /// <summary>
    /// The sequences that <paramref name="tables"/> own through a SERIAL or identity column (pg_depend
    /// types 'a' and 'i'), limited to those the admin may hand out: reading them is part of reading the
    /// table with pg_dump; one the admin may not grant is left out rather than failing the grant.
    /// </summary>
    private static async Task<List<TableRef>> OwnedSequencesAsync(NpgsqlConnection connection, List<TableRef> tables, CancellationToken ct)
    {
        if (tables.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(
            """
            select distinct sn.nspname, s.relname
            from unnest($1::text[], $2::text[]) as t(schema_name, table_name)
            join pg_namespace tn on tn.nspname = t.schema_name
            join pg_class tc on tc.relnamespace = tn.oid and tc.relname = t.table_name
            join pg_depend d on d.refobjid = tc.oid and d.refclassid = 'pg_class'::regclass and d.classid = 'pg_class'::regclass
                            and d.deptype in ('a', 'i')
            join pg_class s on s.oid = d.objid and s.relkind = 'S'
            join pg_namespace sn on sn.oid = s.relnamespace
            -- CASE: the planner may test the privilege before the join has kept sequences only.
            where case when s.relkind = 'S' then has_sequence_privilege(s.oid, 'SELECT WITH GRANT OPTION') else false end
            order by 1, 2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(t => t.Schema).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(t => t.Name).ToArray() });
        var sequences = new List<TableRef>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sequences.Add(new TableRef(reader.GetString(0), reader.GetString(1)));
        }

        return sequences;
    }

    private static async Task<NpgsqlConnection> OpenAsync(EngineServer server, string database, CancellationToken ct)
    {
        try
        {
            return await PostgresConnections.OpenAdminAsync(server, database, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw new EngineException(
                $"Cannot connect to {server.Host}:{server.Port} database '{database}' as '{server.AdminUsername}': {ex.Message}", ex);
        }
    }
}
