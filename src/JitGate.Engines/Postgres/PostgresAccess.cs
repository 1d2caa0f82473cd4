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
    /// <returns>What changed; <see cref="PostgresReconcileReport.Changed"/> is false when the engine already matched.</returns>
    /// <exception cref="PostgresEngineException">
    /// The engine could not be made to match. When the role kept privileges JitGate cannot revoke, it is
    /// also switched to NOLOGIN and its sessions are ended, so access fails closed until a DBA fixes it.
    /// </exception>
    public static async Task<PostgresReconcileReport> ReconcileAsync(
        PostgresServer server, string database, string roleName, string password, ReadGrant desired,
        DateTimeOffset? validUntil, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));
        ArgumentNullException.ThrowIfNull(desired);
        var verifier = ScramVerifier.Create(password);

        await using var connection = await OpenAsync(server, database, ct);
        var (tables, missing, notGrantable) = await ResolveTablesAsync(connection, desired, ct);
        var role = PostgresSql.Ident(roleName);
        var changes = new List<string>();
        var existing = await ReadRoleAsync(connection, roleName, validUntil, ct);
        if (existing is null)
        {
            await PostgresPrivileges.ExecuteAsync(connection,
                $"CREATE ROLE {role} WITH LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD {PostgresSql.Literal(verifier)} "
                + $"VALID UNTIL {PostgresSql.Timestamp(validUntil)}", ct);
        }
        else
        {
            changes.AddRange(await ConformRoleAsync(connection, roleName, existing, ct));
            await PostgresPrivileges.ExecuteAsync(connection, $"ALTER ROLE {role} PASSWORD {PostgresSql.Literal(verifier)}", ct);
            if (!existing.ValidUntilMatches)
            {
                await PostgresPrivileges.ExecuteAsync(connection, $"ALTER ROLE {role} VALID UNTIL {PostgresSql.Timestamp(validUntil)}", ct);
                changes.Add($"VALID UNTIL {validUntil?.ToString("O") ?? "infinity"}");
            }
        }

        var applied = await PostgresPrivileges.ApplyAsync(
            connection, database, roleName, new PostgresPrivileges.Wanted(true, tables), ct);
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

        return new PostgresReconcileReport(existing is null, changes, applied.Granted, applied.Revoked, missing, notGrantable, terminated);
    }

    /// <summary>
    /// Ends the role's access to <paramref name="database"/>: NOLOGIN and VALID UNTIL now (so no new
    /// session starts), every privilege in the database revoked (so open sessions can read nothing more),
    /// then every session of the role terminated. Does nothing when the role does not exist.
    /// </summary>
    /// <exception cref="PostgresEngineException">A privilege could not be revoked; the role still cannot log in.</exception>
    public static async Task<PostgresReconcileReport> EndAccessAsync(
        PostgresServer server, string database, string roleName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));

        await using var connection = await OpenAsync(server, database, ct);
        var changes = new List<string>();
        var existing = await ReadRoleAsync(connection, roleName, null, ct);
        if (existing is null)
        {
            return new PostgresReconcileReport(false, [], [], [], [], [], 0);
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
        return new PostgresReconcileReport(false, changes, [], applied.Revoked, [], [], terminated);
    }

    /// <summary>
    /// Drops the role: ends its access, then <c>DROP OWNED BY</c> (in <paramref name="database"/>: it
    /// revokes what the admin granted and drops anything the role created there) and <c>DROP ROLE</c>.
    /// </summary>
    /// <returns>True when a role was dropped, false when there was none.</returns>
    /// <exception cref="PostgresEngineException">Something still depends on the role (privileges granted by someone else, objects in another database).</exception>
    public static async Task<bool> DropRoleAsync(PostgresServer server, string database, string roleName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        PostgresRoleName.Validate(roleName, nameof(roleName));

        await using var connection = await OpenAsync(server, database, ct);
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
            throw new PostgresEngineException(
                $"Role {roleName} cannot be dropped: {ex.MessageText}{(ex.Detail is null ? "" : " (" + ex.Detail + ")")}. "
                + "It can no longer log in; a superuser or the objects' owner must revoke or drop what remains.", ex);
        }

        return true;
    }

    private sealed record RoleState(
        bool CanLogin, bool Super, bool Inherit, bool CreateDb, bool CreateRole, bool Replication, bool BypassRls,
        bool ValidUntilMatches, bool Expired, IReadOnlyList<string> MemberOf);

    private static async Task<RoleState?> ReadRoleAsync(NpgsqlConnection connection, string roleName, DateTimeOffset? validUntil, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            select r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
                   coalesce(r.rolvaliduntil, 'infinity') = $2::timestamptz,
                   coalesce(r.rolvaliduntil <= now(), false),
                   array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid
                         where m.member = r.oid order by 1)
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
            reader.GetBoolean(5), reader.GetBoolean(6), reader.GetBoolean(7), reader.GetBoolean(8), reader.GetFieldValue<string[]>(9));
    }

    /// <summary>Puts back the attributes a JitGate role must have: LOGIN, NOINHERIT, nothing else, no memberships.</summary>
    private static async Task<List<string>> ConformRoleAsync(NpgsqlConnection connection, string roleName, RoleState state, CancellationToken ct)
    {
        if (state.Super)
        {
            throw new PostgresEngineException($"Role {roleName} is a superuser; JitGate refuses to manage it. A superuser must drop or alter it.");
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

        var changes = new List<string>();
        if (attributes.Count > 0)
        {
            await PostgresPrivileges.ExecuteAsync(connection, $"ALTER ROLE {role} WITH {string.Join(' ', attributes)}", ct);
            changes.Add("attributes " + string.Join(' ', attributes));
        }

        foreach (var group in state.MemberOf)
        {
            await PostgresPrivileges.ExecuteAsync(connection, $"REVOKE {PostgresSql.Ident(group)} FROM {role}", ct);
            changes.Add($"membership in {group} removed");
        }

        return changes;
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

    private static async Task<NpgsqlConnection> OpenAsync(PostgresServer server, string database, CancellationToken ct)
    {
        try
        {
            return await PostgresConnections.OpenAdminAsync(server, database, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw new PostgresEngineException(
                $"Cannot connect to {server.Host}:{server.Port} database '{database}' as '{server.AdminUsername}': {ex.Message}", ex);
        }
    }
}
