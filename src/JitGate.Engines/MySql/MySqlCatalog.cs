using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// What JitGate reads from a MySQL or MariaDB server as its admin: whether the admin login can do its
/// job, which databases there are, and the tables and views of one database. On these engines a table's
/// schema is its database, so <see cref="CatalogTable.Schema"/> is the database name.
/// </summary>
public static class MySqlCatalog
{
    /// <summary>Databases of the server itself, never offered to users.</summary>
    public static readonly IReadOnlyList<string> SystemDatabases = ["information_schema", "mysql", "performance_schema", "sys"];

    /// <summary>
    /// Checks the admin login when an instance is registered: it can connect; holds CREATE USER (to create,
    /// lock and revoke JitGate accounts: REVOKE ALL PRIVILEGES, GRANT OPTION needs only that), PROCESS (to
    /// see other accounts' sessions) and CONNECTION ADMIN, CONNECTION_ADMIN on MySQL, or SUPER (to kill
    /// them); may read the grant tables JitGate reads back; and holds SELECT WITH GRANT OPTION on some data.
    /// Privileges must be the login's own (not through a role), as information_schema.USER_PRIVILEGES shows.
    /// </summary>
    /// <returns>Problems a person can act on, each naming the GRANT that fixes it; empty when the login is fit.</returns>
    public static async Task<IReadOnlyList<string>> CheckAdminAsync(EngineServer server, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        MySqlConnection connection;
        try
        {
            connection = await MySqlConnections.OpenAdminAsync(server, ct);
        }
        catch (EngineException ex)
        {
            return [ex.Message];
        }

        await using (connection)
        {
            var mariaDb = MySqlConnections.IsMariaDb(connection);
            var who = $"'{server.AdminUsername}'";
            var problems = new List<string>();
            var own = await OwnPrivilegesAsync(connection, ct);
            if (!own.Contains(("*", "CREATE USER")))
            {
                problems.Add($"{who} lacks CREATE USER, so JitGate cannot create, lock and revoke its accounts (GRANT CREATE USER ON *.* TO {who}).");
            }

            if (!own.Contains(("*", "PROCESS")))
            {
                problems.Add($"{who} lacks PROCESS, so JitGate cannot see the sessions of accounts whose access ended (GRANT PROCESS ON *.* TO {who}).");
            }

            var kill = mariaDb ? "CONNECTION ADMIN" : "CONNECTION_ADMIN";
            if (!own.Contains(("*", kill)) && !own.Contains(("*", "SUPER")))
            {
                problems.Add($"{who} lacks {kill}, so JitGate cannot end the sessions of accounts whose access ended (GRANT {kill} ON *.* TO {who}).");
            }

            if (!own.Contains(("grant", "SELECT")))
            {
                problems.Add($"{who} holds SELECT WITH GRANT OPTION on no data, so JitGate can grant nothing (GRANT SELECT ON `hr\\_prod`.* TO {who} WITH GRANT OPTION).");
            }

            foreach (var table in MySqlGrantTables.Required(mariaDb))
            {
                try
                {
                    await MySqlConnections.ExecuteAsync(connection, $"SELECT 1 FROM mysql.{MySqlSql.Ident(table)} LIMIT 0", ct);
                }
                catch (MySqlException ex) when (!ct.IsCancellationRequested)
                {
                    problems.Add($"{who} cannot read mysql.{table} ({ex.Message}), which JitGate reads back after each change (GRANT SELECT ON mysql.{table} TO {who}).");
                }
            }

            return problems;
        }
    }

    /// <summary>
    /// The login's own privileges: ("*", privilege) for global ones, ("grant", "SELECT") when it holds
    /// SELECT WITH GRANT OPTION anywhere (globally, on a database or on a table).
    /// </summary>
    private static async Task<HashSet<(string, string)>> OwnPrivilegesAsync(MySqlConnection connection, CancellationToken ct)
    {
        // GRANTEE reads 'user'@'host'; the login sees every grantee when it may read the mysql schema, so
        // only its own rows are kept.
        const string Me = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";
        await using var command = new MySqlCommand(
            $"""
            SELECT 'global', PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = {Me}
            UNION ALL SELECT 'database', PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = {Me}
            UNION ALL SELECT 'table', PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = {Me}
            """, connection);
        var own = new HashSet<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var privilege = reader.GetString(1);
            if (reader.GetString(0) == "global")
            {
                own.Add(("*", privilege));
            }

            if (privilege == "SELECT" && reader.GetString(2) == "YES")
            {
                own.Add(("grant", "SELECT"));
            }
        }

        return own;
    }

    /// <summary>The databases the admin can see, other than the server's own (<see cref="SystemDatabases"/>), in name order.</summary>
    public static async Task<IReadOnlyList<string>> ListDatabasesAsync(EngineServer server, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        await using var connection = await MySqlConnections.OpenAdminAsync(server, ct);
        await using var command = new MySqlCommand(
            $"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ({string.Join(", ", SystemDatabases.Select(MySqlSql.Literal))}) ORDER BY SCHEMA_NAME",
            connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// Tables (kind "table": base tables, system-versioned tables, sequences) and views (kind "view") of
    /// <paramref name="database"/> with their columns in order, as information_schema shows them to the admin.
    /// </summary>
    public static async Task<IReadOnlyList<CatalogTable>> ReadTablesAsync(EngineServer server, string database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        await using var connection = await MySqlConnections.OpenAdminAsync(server, ct);
        await using var command = new MySqlCommand(
            """
            SELECT t.TABLE_NAME, t.TABLE_TYPE, c.COLUMN_NAME, c.COLUMN_TYPE
            FROM information_schema.TABLES t
            LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
            WHERE t.TABLE_SCHEMA = @database
            ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION
            """, connection);
        command.Parameters.AddWithValue("@database", database);
        var tables = new List<CatalogTable>();
        List<CatalogColumn>? columns = null;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (tables.Count == 0 || tables[^1].Name != name)
            {
                columns = [];
                tables.Add(new CatalogTable(database, name, reader.GetString(1) == "VIEW" ? "view" : "table", columns));
            }

            if (!reader.IsDBNull(2))
            {
                columns!.Add(new CatalogColumn(reader.GetString(2), reader.GetString(3)));
            }
        }

        return tables;
    }

    /// <summary>The names of the tables and views of <paramref name="database"/>, exactly as the server spells them.</summary>
    internal static async Task<List<string>> TableNamesAsync(MySqlConnection connection, string database, CancellationToken ct)
    {
        await using var command = new MySqlCommand(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = @database ORDER BY TABLE_NAME", connection);
        command.Parameters.AddWithValue("@database", database);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
