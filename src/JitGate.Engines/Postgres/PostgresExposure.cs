using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// What every login can reach in a database through PUBLIC, whatever JitGate grants: PostgreSQL makes
/// every role a member of PUBLIC (manual, "Privileges"), so a table, view or column granted to PUBLIC, or a
/// <c>SECURITY DEFINER</c> function PUBLIC may execute (functions are executable by PUBLIC unless revoked),
/// is readable by every JitGate role with a login there. JitGate does not change the customer's PUBLIC
/// grants; it reports them, each with the statement that closes it.
/// </summary>
public static class PostgresExposure
{
    /// <summary>A table, view or column PUBLIC may read.</summary>
    public const string PublicRead = "publicRead";

    /// <summary>A SECURITY DEFINER function PUBLIC may execute: it runs with its owner's rights.</summary>
    public const string PublicDefinerFunction = "publicDefinerFunction";

    /// <summary>At most this many findings are listed per database; a last one says how many more there are.</summary>
    public const int MaxFindings = 200;

    // PUBLIC reaches an object only through a schema it may use. System schemas hold PostgreSQL's own
    // catalog, readable by design.
    private const string Sql =
        """
        select 'publicRead', n.nspname, c.relname, null::text,
               case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f')
          and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
          and has_schema_privilege('public', n.oid, 'USAGE')
          and has_table_privilege('public', c.oid, 'SELECT')
        union all
        select 'publicRead', n.nspname, c.relname, a.attname, 'column'
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f')
          and n.nspname not in ('pg_catalog', 'information_schema')
          and has_schema_privilege('public', n.oid, 'USAGE')
          and not has_table_privilege('public', c.oid, 'SELECT')
          and exists (select 1 from aclexplode(array_cat(a.attacl, null::aclitem[])) x where x.grantee = 0 and x.privilege_type = 'SELECT')
        union all
        select 'publicDefinerFunction', n.nspname,
               quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')', null, 'function'
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef
          and n.nspname not in ('pg_catalog', 'information_schema')
          and has_schema_privilege('public', n.oid, 'USAGE')
          and has_function_privilege('public', p.oid, 'EXECUTE')
        order by 1, 2, 3, 4
        """;

    /// <summary>Lists what PUBLIC may read or execute in <paramref name="database"/>, as the instance admin sees it.</summary>
    /// <exception cref="EngineException">The database cannot be reached or read.</exception>
    public static async Task<IReadOnlyList<ExposureFinding>> ReadAsync(EngineServer server, string database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        try
        {
            await using var connection = await PostgresConnections.OpenAdminAsync(server, database, ct);
            await using var command = new NpgsqlCommand(Sql, connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var findings = new List<ExposureFinding>();
            var more = 0;
            while (await reader.ReadAsync(ct))
            {
                if (findings.Count == MaxFindings)
                {
                    more++;
                    continue;
                }

                findings.Add(Describe(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
            }

            if (more > 0)
            {
                findings.Add(new ExposureFinding(PublicRead, $"{more} more", $"{more} more objects PUBLIC can reach are not listed.", "-- list them with has_table_privilege('public', ...) and has_function_privilege('public', ...)"));
            }

            return findings;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw new EngineException($"Cannot read what PUBLIC may reach in '{database}' on {server.Host}:{server.Port}: {ex.Message}", ex);
        }
    }

    private static ExposureFinding Describe(string kind, string schema, string name, string? column, string what)
    {
        if (kind == PublicDefinerFunction)
        {
            // Qualified and quoted by the query, with its argument types.
            return new ExposureFinding(kind, name,
                $"Function {name} runs with its owner's rights (SECURITY DEFINER) and PUBLIC may execute it, so every login can use it, whatever JitGate grants.",
                $"REVOKE EXECUTE ON FUNCTION {name} FROM PUBLIC;");
        }

        var table = PostgresSql.Qualified(schema, name);
        return column is null
            ? new ExposureFinding(kind, $"{schema}.{name}",
                $"PUBLIC may read the {what} {schema}.{name}, so every login can read it, whatever JitGate grants.",
                $"REVOKE SELECT ON TABLE {table} FROM PUBLIC;")
            : new ExposureFinding(kind, $"{schema}.{name}.{column}",
                $"PUBLIC may read column {column} of {schema}.{name}, so every login can read it, whatever JitGate grants.",
                $"REVOKE SELECT ({PostgresSql.Ident(column)}) ON TABLE {table} FROM PUBLIC;");
    }
}
