using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// What JitGate reads from an instance as its admin: whether the admin login can do its job, which
/// databases there are, and the tables and views of one database.
/// </summary>
public static class PostgresCatalog
{
    /// <summary>The database the admin connects to for instance-wide questions.</summary>
    public const string MaintenanceDatabase = "postgres";

    /// <summary>
    /// Checks the admin login when an instance is registered: it can connect (to the <c>postgres</c>
    /// database), has CREATEROLE, and has the privileges of <c>pg_signal_backend</c> (needed to end the
    /// sessions of a role whose access ended). Grant options are checked per object when granting.
    /// </summary>
    /// <returns>Problems a person can act on; empty when the login is fit.</returns>
    public static async Task<IReadOnlyList<string>> CheckAdminAsync(EngineServer server, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnections.OpenAdminAsync(server, MaintenanceDatabase, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or ArgumentException && !ct.IsCancellationRequested)
        {
            return [$"Cannot connect to {server.Host}:{server.Port} database '{MaintenanceDatabase}' as '{server.AdminUsername}': {ex.Message}"];
        }

        await using (connection)
        {
            await using var command = new NpgsqlCommand(
                """
                select r.rolcreaterole, r.rolsuper, pg_has_role(current_user, 'pg_signal_backend', 'USAGE')
                from pg_roles r where r.rolname = current_user
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var problems = new List<string>();
            if (!reader.GetBoolean(1))
            {
                if (!reader.GetBoolean(0))
                {
                    problems.Add($"'{server.AdminUsername}' lacks CREATEROLE, so JitGate cannot create login roles (ALTER ROLE {PostgresSql.Ident(server.AdminUsername)} CREATEROLE).");
                }

                if (!reader.GetBoolean(2))
                {
                    problems.Add($"'{server.AdminUsername}' is not a member of pg_signal_backend, so JitGate cannot end the sessions of expired access (GRANT pg_signal_backend TO {PostgresSql.Ident(server.AdminUsername)}).");
                }
            }

            return problems;
        }
    }

    /// <summary>Databases users may ask for: not templates, accepting connections, the admin may connect, not <c>postgres</c>.</summary>
    public static async Task<IReadOnlyList<string>> ListDatabasesAsync(EngineServer server, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        await using var connection = await OpenAsync(server, MaintenanceDatabase, ct);
        await using var command = new NpgsqlCommand(
            """
            select datname from pg_database
            where not datistemplate and datallowconn and datname <> 'postgres'
              and has_database_privilege(oid, 'CONNECT')
            order by datname
            """, connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// Tables (kind "table": ordinary, partitioned, foreign) and views (kind "view": views and
    /// materialized views) of <paramref name="database"/> outside the system schemas, with their
    /// columns in order. Partitions are left out: reading goes through their parent.
    /// </summary>
    public static async Task<IReadOnlyList<CatalogTable>> ReadTablesAsync(EngineServer server, string database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        await using var connection = await OpenAsync(server, database, ct);
        await using var command = new NpgsqlCommand(
            $"""
            select n.nspname, c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod)
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where {UserRelations}
            order by n.nspname, c.relname, a.attnum
            """, connection);
        var tables = new List<CatalogTable>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        List<CatalogColumn>? columns = null;
        while (await reader.ReadAsync(ct))
        {
            var schema = reader.GetString(0);
            var name = reader.GetString(1);
            if (tables.Count == 0 || tables[^1].Schema != schema || tables[^1].Name != name)
            {
                columns = [];
                var kind = reader.GetString(2) is "v" or "m" ? "view" : "table";
                tables.Add(new CatalogTable(schema, name, kind, columns));
            }

            if (!reader.IsDBNull(3))
            {
                columns!.Add(new CatalogColumn(reader.GetString(3), reader.GetString(4)));
            }
        }

        return tables;
    }

    /// <summary>
    /// SQL condition on <c>c</c> (pg_class) and <c>n</c> (pg_namespace) selecting the relations users can
    /// be granted: tables, views, materialized views, foreign and partitioned tables outside system schemas.
    /// </summary>
    internal const string UserRelations =
        """
        c.relkind in ('r', 'v', 'm', 'f', 'p') and not c.relispartition
        and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp\_%'
        """;

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
