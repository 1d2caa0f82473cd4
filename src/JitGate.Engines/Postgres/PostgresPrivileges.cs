using System.Text.RegularExpressions;
using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Reads what a role holds in one database and makes it match what it should hold. Everything is
/// checked by reading the catalog back, because PostgreSQL answers a GRANT the admin may not give, or a
/// REVOKE of a privilege someone else granted, with a warning and no change.
/// </summary>
internal static partial class PostgresPrivileges
{
    /// <summary>A privilege held directly by the role (from the ACLs of the database, schemas, relations, columns, functions).</summary>
    public sealed record Held(string Kind, string? Schema, string Name, string? Column, string Privilege, bool Grantable, string Grantor)
    {
        public string Target => Kind switch
        {
            "database" => $"DATABASE {PostgresSql.Ident(Name)}",
            "schema" => $"SCHEMA {PostgresSql.Ident(Name)}",
            "sequence" => $"SEQUENCE {PostgresSql.Qualified(Schema!, Name)}",
            // regprocedure text is already quoted where needed and names the argument types.
            "function" => $"FUNCTION {Name}",
            _ => $"TABLE {PostgresSql.Qualified(Schema!, Name)}",
        };

        public string Describe() => Kind switch
        {
            "database" or "schema" or "function" => $"{Privilege} on {Kind} {Name}",
            "column" => $"{Privilege} ({Column}) on table {Schema}.{Name}",
            _ => $"{Privilege} on {Kind} {Schema}.{Name}",
        };
    }

    /// <summary>
    /// What the role should hold in the database it is connected to: CONNECT, USAGE on the schemas of its
    /// tables, SELECT on its tables, and SELECT on the sequences those tables own (a SERIAL or identity
    /// column's), which reading a table with the usual tools needs: <c>pg_dump -t</c> reads the owned
    /// sequence's state along with the table.
    /// </summary>
    public sealed record Wanted(bool Connect, IReadOnlyList<TableRef> Tables, IReadOnlyList<TableRef>? Sequences = null)
    {
        public IReadOnlySet<string> Schemas { get; } = Tables.Select(t => t.Schema).ToHashSet(StringComparer.Ordinal);

        private readonly HashSet<(string, string)> _tables = Tables.Select(t => (t.Schema, t.Name)).ToHashSet();

        private readonly HashSet<(string, string)> _sequences = (Sequences ?? []).Select(t => (t.Schema, t.Name)).ToHashSet();

        /// <summary>True when <paramref name="held"/> is exactly something wanted (without grant option).</summary>
        public bool Covers(Held held) => !held.Grantable && held switch
        {
            { Kind: "database", Privilege: "CONNECT" } => Connect,
            { Kind: "schema", Privilege: "USAGE" } => Schemas.Contains(held.Name),
            { Kind: "table", Privilege: "SELECT" } => _tables.Contains((held.Schema!, held.Name)),
            { Kind: "sequence", Privilege: "SELECT" } => _sequences.Contains((held.Schema!, held.Name)),
            _ => false,
        };
    }

    /// <summary>The result of <see cref="ApplyAsync"/>, with what was read back afterwards.</summary>
    public sealed record Applied(List<string> Granted, List<string> Revoked, List<Held> LeftOver, List<string> StillMissing)
    {
        /// <summary>
        /// Throws when the engine does not match: first for privileges still held that should not be
        /// (the caller fails closed), then for grants that did nothing.
        /// </summary>
        public void ThrowIfIncomplete(string roleName)
        {
            if (LeftOver.Count > 0)
            {
                throw new EngineException(
                    $"Role {roleName} holds privileges that JitGate's admin cannot revoke: "
                    + string.Join("; ", LeftOver.Select(h => $"{h.Describe()}{(h.Grantable ? " with grant option" : "")} granted by {h.Grantor}"))
                    + $". A superuser or the object's owner must revoke them (REVOKE ... FROM {PostgresSql.Ident(roleName)}); until then the role cannot log in.");
            }

            if (StillMissing.Count > 0)
            {
                throw new EngineException(
                    $"GRANT did nothing for role {roleName}: " + string.Join("; ", StillMissing)
                    + ". JitGate's admin needs each of these WITH GRANT OPTION (see the PostgreSQL README).");
            }
        }
    }

    // One scan of each ACL for any number of roles; the last column names the grantee.
    // aclexplode reads its argument again for every row it returns, and an ACL of thousands of entries (the
    // database's, once every JitGate role holds CONNECT) is stored compressed out of line: exploding it
    // directly decompresses it once per entry, quadratic in the number of roles (1.1 s for 10,000 entries).
    // array_cat with NULL hands over the array already read, once (2 ms).
    private const string HeldSql =
        """
        with r as (select oid, rolname::text as name from pg_roles where rolname = any($1::name[]))
        select 'database', null::text, d.datname::text, null::text, a.privilege_type, a.is_grantable, a.grantor::regrole::text, r.name
        from pg_database d, aclexplode(array_cat(d.datacl, null::aclitem[])) a, r
        where d.datname = current_database() and a.grantee = r.oid
        union all
        select 'schema', null, n.nspname, null, a.privilege_type, a.is_grantable, a.grantor::regrole::text, r.name
        from pg_namespace n, aclexplode(array_cat(n.nspacl, null::aclitem[])) a, r where a.grantee = r.oid
        union all
        select case when c.relkind = 'S' then 'sequence' else 'table' end, n.nspname, c.relname, null,
               a.privilege_type, a.is_grantable, a.grantor::regrole::text, r.name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(array_cat(c.relacl, null::aclitem[])) a, r
        where a.grantee = r.oid
        union all
        select 'column', n.nspname, c.relname, att.attname, a.privilege_type, a.is_grantable, a.grantor::regrole::text, r.name
        from pg_attribute att join pg_class c on c.oid = att.attrelid join pg_namespace n on n.oid = c.relnamespace,
             aclexplode(array_cat(att.attacl, null::aclitem[])) a, r
        where a.grantee = r.oid and not att.attisdropped
        union all
        select 'function', n.nspname, p.oid::regprocedure::text, null, a.privilege_type, a.is_grantable, a.grantor::regrole::text, r.name
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(array_cat(p.proacl, null::aclitem[])) a, r
        where a.grantee = r.oid
        """;

    /// <summary>Every privilege the role holds directly in the current database (and on it).</summary>
    public static async Task<List<Held>> ReadHeldAsync(NpgsqlConnection connection, string roleName, CancellationToken ct) =>
        (await ReadHeldManyAsync(connection, [roleName], ct)).Select(h => h.Held).ToList();

    /// <summary>Every privilege any of the roles holds directly in the current database (and on it), with its grantee.</summary>
    public static async Task<List<(string Role, Held Held)>> ReadHeldManyAsync(
        NpgsqlConnection connection, IReadOnlyCollection<string> roleNames, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(HeldSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roleNames.ToArray() });
        var held = new List<(string, Held)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var privilege = reader.GetString(4);
            if (!PrivilegeKeyword().IsMatch(privilege))
            {
                throw new EngineException($"Unexpected privilege '{privilege}' in the catalog.");
            }

            held.Add((reader.GetString(7), new Held(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                privilege,
                reader.GetBoolean(5),
                reader.GetString(6))));
        }

        return held;
    }

    /// <summary>
    /// Revokes what is not wanted, then grants what is missing, then reads everything back.
    /// Revoking first means a failed grant never leaves the role with more than it should have.
    /// </summary>
    public static async Task<Applied> ApplyAsync(
        NpgsqlConnection connection, string database, string roleName, Wanted wanted, CancellationToken ct)
    {
        var role = PostgresSql.Ident(roleName);
        var result = new Applied([], [], [], []);
        foreach (var held in await ReadHeldAsync(connection, roleName, ct))
        {
            if (wanted.Covers(held))
            {
                continue;
            }

            var whatToRevoke = held.Kind == "column" ? $"{held.Privilege} ({PostgresSql.Ident(held.Column!)})" : held.Privilege;
            var grantOptionOnly = held.Grantable && wanted.Covers(held with { Grantable = false });
            await ExecuteAsync(connection,
                $"REVOKE {(grantOptionOnly ? "GRANT OPTION FOR " : "")}{whatToRevoke} ON {held.Target} FROM {role}", ct);
            result.Revoked.Add(held.Describe() + (grantOptionOnly ? " (grant option)" : ""));
        }

        var missing = await ReadMissingAsync(connection, database, roleName, wanted, ct);
        foreach (var (target, description) in missing)
        {
            var privilege = description.Split(' ')[0];
            try
            {
                await ExecuteAsync(connection, $"GRANT {privilege} ON {target} TO {role}", ct);
                result.Granted.Add(description);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // Reported below with everything else still missing when the catalog is read back.
            }
        }

        result.LeftOver.AddRange((await ReadHeldAsync(connection, roleName, ct)).Where(h => !wanted.Covers(h)));
        result.StillMissing.AddRange((await ReadMissingAsync(connection, database, roleName, wanted, ct)).Select(m => m.Description));
        return result;
    }

    /// <summary>
    /// Wanted privileges the role cannot use yet. Tables need a direct grant (so the role holds exactly
    /// its grant); CONNECT and USAGE count when held through PUBLIC too, since PostgreSQL gives those to
    /// PUBLIC by default and admins often cannot re-grant them.
    /// </summary>
    private static async Task<List<(string Target, string Description)>> ReadMissingAsync(
        NpgsqlConnection connection, string database, string roleName, Wanted wanted, CancellationToken ct)
    {
        var missing = new List<(string, string)>();
        await using var command = new NpgsqlCommand(
            """
            select has_database_privilege($1::name, current_database(), 'CONNECT'),
                   array(select s from unnest($2::text[]) s where not has_schema_privilege($1::name, s, 'USAGE')),
                   array(select t.i from unnest($3::text[], $4::text[]) with ordinality as t(s, n, i)
                         where not exists (
                             select 1 from pg_class c join pg_namespace ns on ns.oid = c.relnamespace,
                                           aclexplode(array_cat(c.relacl, null::aclitem[])) a
                             where ns.nspname = t.s and c.relname = t.n and a.grantee = $1::regrole
                               and a.privilege_type = 'SELECT')
                            or not has_table_privilege($1::name, format('%I.%I', t.s, t.n), 'SELECT'))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roleName });
        command.Parameters.Add(new NpgsqlParameter { Value = wanted.Schemas.Order(StringComparer.Ordinal).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = wanted.Tables.Select(t => t.Schema).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = wanted.Tables.Select(t => t.Name).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (wanted.Connect && !reader.GetBoolean(0))
        {
            missing.Add(($"DATABASE {PostgresSql.Ident(database)}", $"CONNECT on database {database}"));
        }

        foreach (var schema in reader.GetFieldValue<string[]>(1))
        {
            missing.Add(($"SCHEMA {PostgresSql.Ident(schema)}", $"USAGE on schema {schema}"));
        }

        foreach (var index in reader.GetFieldValue<long[]>(2))
        {
            var table = wanted.Tables[(int)index - 1];
            missing.Add(($"TABLE {PostgresSql.Qualified(table.Schema, table.Name)}", $"SELECT on table {table.Schema}.{table.Name}"));
        }

        await reader.CloseAsync();
        if (wanted.Sequences is { Count: > 0 } sequences)
        {
            await using var seq = new NpgsqlCommand(
                """
                select t.i from unnest($2::text[], $3::text[]) with ordinality as t(s, n, i)
                where not has_sequence_privilege($1::name, format('%I.%I', t.s, t.n), 'SELECT')
                """, connection);
            seq.Parameters.Add(new NpgsqlParameter { Value = roleName });
            seq.Parameters.Add(new NpgsqlParameter { Value = sequences.Select(t => t.Schema).ToArray() });
            seq.Parameters.Add(new NpgsqlParameter { Value = sequences.Select(t => t.Name).ToArray() });
            await using var rows = await seq.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                var sequence = sequences[(int)rows.GetInt64(0) - 1];
                missing.Add(($"SEQUENCE {PostgresSql.Qualified(sequence.Schema, sequence.Name)}", $"SELECT on sequence {sequence.Schema}.{sequence.Name}"));
            }
        }

        return missing;
    }

    /// <summary>How long the sessions signalled by <see cref="TerminateSessionsAsync(NpgsqlConnection, IReadOnlyCollection{string}, CancellationToken)"/> may take to go away.</summary>
    public static readonly TimeSpan SessionExitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Ends every session of the role and waits until they are gone; returns how many were ended.</summary>
    /// <exception cref="EngineException">A session was still open <see cref="SessionExitTimeout"/> after being signalled.</exception>
    public static async Task<int> TerminateSessionsAsync(NpgsqlConnection connection, string roleName, CancellationToken ct) =>
        (await TerminateSessionsAsync(connection, [roleName], ct)).Values.Sum();

    /// <summary>
    /// Signals every session of the roles to end, then polls until none of the signalled ones is left;
    /// returns the number ended per role (roles without sessions are absent).
    /// </summary>
    /// <remarks>
    /// pg_terminate_backend(pid, timeout) sleeps in 100 ms steps until its backend has exited, so waiting
    /// inside it costs about 100 ms per session even though a backend usually exits within a millisecond.
    /// Signalling all of them and then polling pg_stat_activity costs one round trip per few milliseconds
    /// whatever the number of sessions.
    /// </remarks>
    /// <exception cref="EngineException">A session was still open <see cref="SessionExitTimeout"/> after being signalled.</exception>
    public static async Task<Dictionary<string, int>> TerminateSessionsAsync(
        NpgsqlConnection connection, IReadOnlyCollection<string> roleNames, CancellationToken ct)
    {
        var ended = new Dictionary<string, int>(StringComparer.Ordinal);
        var signalled = new List<int>();
        var names = roleNames.ToArray();
        await using (var command = new NpgsqlCommand(
            """
            select r.rolname::text, a.pid, pg_terminate_backend(a.pid)
            from pg_stat_activity a join pg_roles r on r.oid = a.usesysid
            where r.rolname = any($1::name[]) and a.pid <> pg_backend_pid()
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = names });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // False: the backend exited between the read of pg_stat_activity and the signal.
                if (reader.GetBoolean(2))
                {
                    var role = reader.GetString(0);
                    ended[role] = ended.GetValueOrDefault(role) + 1;
                    signalled.Add(reader.GetInt32(1));
                }
            }
        }

        if (signalled.Count == 0)
        {
            return ended;
        }

        // Matching the role too keeps a pid the server has already reused for someone else from being waited on.
        await using var remaining = new NpgsqlCommand(
            """
            select coalesce(array_agg(a.pid order by a.pid), '{}')
            from pg_stat_activity a join pg_roles r on r.oid = a.usesysid
            where a.pid = any($1) and r.rolname = any($2::name[])
            """, connection);
        remaining.Parameters.Add(new NpgsqlParameter { Value = signalled.ToArray() });
        remaining.Parameters.Add(new NpgsqlParameter { Value = names });
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = (int[])(await remaining.ExecuteScalarAsync(ct))!;
            if (left.Length == 0)
            {
                return ended;
            }

            if (started.Elapsed > SessionExitTimeout)
            {
                throw new EngineException(
                    $"{left.Length} session(s) (pid {string.Join(", ", left.Take(20))}{(left.Length > 20 ? ", ..." : "")}) were told to end "
                    + $"{SessionExitTimeout.TotalSeconds:0} s ago and are still open. The roles can no longer read anything; "
                    + "a DBA can end them with pg_terminate_backend.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), ct);
        }
    }

    /// <summary>
    /// True for the error PostgreSQL raises when two sessions change the same catalog row at once (GRANT
    /// or REVOKE on a table another reconcile is granting on, ALTER ROLE on the same role): the
    /// statement was rolled back and succeeds when run again. Npgsql treats XX000 as fatal and closes
    /// the connection, so it must be run again on a new one.
    /// </summary>
    public static bool IsConcurrentUpdate(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.InternalError && ex.MessageText.Contains("concurrently updated", StringComparison.Ordinal);

    /// <summary>How often a statement that failed with "tuple concurrently updated" is run in all.</summary>
    public const int ConcurrentUpdateAttempts = 5;

    /// <summary>A short, jittered pause, so two sessions that collided do not collide again.</summary>
    public static TimeSpan ConcurrentUpdateBackoff(int attempt) =>
        TimeSpan.FromMilliseconds(attempt * 5 + Random.Shared.Next(10));

    /// <summary>Runs a statement JitGate built itself (no user text, no passwords in clear).</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex("^[A-Z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PrivilegeKeyword();
}
