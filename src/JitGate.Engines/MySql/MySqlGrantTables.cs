using System.Globalization;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Reads what JitGate accounts hold from the grant tables (MySQL manual, "Grant Tables"; MariaDB
/// knowledge base, "mysql.global_priv Table", "mysql.roles_mapping Table"): the account's row (locked or
/// not, a role or not), global privileges, database-, table-, column- and routine-level privileges,
/// PROXY grants and granted roles. SHOW GRANTS FOR would need SELECT on the whole mysql schema (its
/// password hashes included); these reads need SELECT on the listed tables only.
/// </summary>
internal static class MySqlGrantTables
{
    /// <summary>
    /// One privilege an account holds. <see cref="Level"/> is global, database (<see cref="Database"/> is the
    /// mysql.db pattern), table, column, routine, proxy or role.
    /// </summary>
    public sealed record Held(string Account, string Level, string? Database, string? Name, string? Column, string Privilege, bool Grantable)
    {
        /// <summary>For people and the audit: <c>SELECT on table hr_prod.salary</c>.</summary>
        public string Describe() => Level switch
        {
            "global" => $"{Privilege} on *.*",
            "database" => $"{Privilege} on database {Database}",
            "column" => $"{Privilege} ({Column}) on table {Database}.{Name}",
            "routine" => $"{Privilege} on routine {Database}.{Name}",
            "proxy" => $"PROXY on {Name}",
            "role" => $"role {Name}",
            _ => $"{Privilege} on table {Database}.{Name}",
        } + (Grantable && Level != "role" ? " with grant option" : "");
    }

    /// <summary>The row of a JitGate account; <paramref name="MaxUserConnections"/> is 0 for no limit of its own.</summary>
    /// <param name="Locked">ACCOUNT LOCK is set.</param>
    /// <param name="IsRole">MariaDB: the row is a role, not an account.</param>
    /// <param name="MaxUserConnections">The account's session limit; 0 for none.</param>
    /// <param name="Plugin">The authentication plugin (MariaDB only; null on MySQL).</param>
    /// <param name="Credential">What the plugin stores for the password (MariaDB only; null on MySQL).</param>
    public sealed record AccountRow(bool Locked, bool IsRole, long MaxUserConnections, string? Plugin = null, string? Credential = null);

    /// <summary>The tables the admin must be able to read, per flavor (the README's setup grants exactly these).</summary>
    public static IReadOnlyList<string> Required(bool mariaDb) => mariaDb
        ? ["global_priv", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping"]
        : ["user", "global_grants", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "role_edges"];

    /// <summary>The rows of the given accounts (host %) that exist.</summary>
    public static async Task<Dictionary<string, AccountRow>> ReadAccountsAsync(
        MySqlConnection connection, bool mariaDb, IReadOnlyCollection<string> accounts, CancellationToken ct)
    {
        var rows = new Dictionary<string, AccountRow>(StringComparer.Ordinal);
        if (accounts.Count == 0)
        {
            return rows;
        }

        var sql = mariaDb
            ? $"SELECT User, JSON_VALUE(Priv, '$.account_locked') IN ('true', '1'), JSON_VALUE(Priv, '$.is_role') IN ('true', '1'), "
              + $"CAST(COALESCE(JSON_VALUE(Priv, '$.max_user_connections'), 0) AS SIGNED), JSON_VALUE(Priv, '$.plugin'), "
              + $"JSON_VALUE(Priv, '$.authentication_string') FROM mysql.global_priv WHERE {Match("Host", "User", accounts)}"
            : $"SELECT User, account_locked = 'Y', FALSE, max_user_connections, NULL, NULL FROM mysql.user WHERE {Match("Host", "User", accounts)}";
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows[reader.GetString(0)] = new AccountRow(Flag(reader, 1), Flag(reader, 2),
                reader.IsDBNull(3) ? 0 : Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5));
        }

        return rows;
    }

    /// <summary>Every privilege and role the given accounts hold, at every level and in every database.</summary>
    public static async Task<List<Held>> ReadHeldAsync(
        MySqlConnection connection, bool mariaDb, IReadOnlyCollection<string> accounts, CancellationToken ct)
    {
        var held = new List<Held>();
        if (accounts.Count == 0)
        {
            return held;
        }

        var host = Match("Host", "User", accounts);
        if (mariaDb)
        {
            await ReadAsync(connection, $"SELECT User, CAST(JSON_VALUE(Priv, '$.access') AS UNSIGNED) FROM mysql.global_priv WHERE {host}", r =>
            {
                var access = r.IsDBNull(1) ? 0UL : r.GetUInt64(1);
                held.AddRange(MariaDbAccess(r.GetString(0), access));
            }, ct);
            await ReadAsync(connection, $"SELECT User, Role FROM mysql.roles_mapping WHERE {host}",
                r => held.Add(new Held(r.GetString(0), "role", null, r.GetString(1), null, "ROLE", false)), ct);
        }
        else
        {
            await ReadAsync(connection, $"SELECT * FROM mysql.user WHERE {host}", r => held.AddRange(PrivColumns(r, "global", null, null)), ct);
            await ReadAsync(connection, $"SELECT USER, PRIV, WITH_GRANT_OPTION FROM mysql.global_grants WHERE {Match("HOST", "USER", accounts)}",
                r => held.Add(new Held(r.GetString(0), "global", null, null, null, r.GetString(1), r.GetString(2) == "Y")), ct);
            await ReadAsync(connection, $"SELECT TO_USER, FROM_USER, FROM_HOST FROM mysql.role_edges WHERE {Match("TO_HOST", "TO_USER", accounts)}",
                r => held.Add(new Held(r.GetString(0), "role", null, $"{r.GetString(1)}@{r.GetString(2)}", null, "ROLE", false)), ct);
        }

        await ReadAsync(connection, $"SELECT * FROM mysql.db WHERE {host}", r => held.AddRange(PrivColumns(r, "database", r.GetString(r.GetOrdinal("Db")), null)), ct);
        await ReadAsync(connection, $"SELECT User, Db, Table_name, Table_priv FROM mysql.tables_priv WHERE {host}",
            r => held.AddRange(SetPrivileges(r.GetString(0), "table", r.GetString(1), r.GetString(2), null, r.GetString(3))), ct);
        await ReadAsync(connection, $"SELECT User, Db, Table_name, Column_name, Column_priv FROM mysql.columns_priv WHERE {host}",
            r => held.AddRange(SetPrivileges(r.GetString(0), "column", r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4))), ct);
        await ReadAsync(connection, $"SELECT User, Db, Routine_name, Proc_priv FROM mysql.procs_priv WHERE {host}",
            r => held.AddRange(SetPrivileges(r.GetString(0), "routine", r.GetString(1), r.GetString(2), null, r.GetString(3))), ct);
        await ReadAsync(connection, $"SELECT User, Proxied_user, Proxied_host, With_grant FROM mysql.proxies_priv WHERE {host}",
            r => held.Add(new Held(r.GetString(0), "proxy", null, $"{r.GetString(1)}@{r.GetString(2)}", null, "PROXY", Flag(r, 3))), ct);
        return held;
    }

    /// <summary><c>Host = '%' AND User IN (...)</c>; the names are validated account names, so they are safe to inline.</summary>
    private static string Match(string hostColumn, string userColumn, IReadOnlyCollection<string> accounts)
    {
        foreach (var account in accounts)
        {
            MySqlSql.ValidateAccount(account, nameof(accounts));
        }

        return $"{hostColumn} = {MySqlSql.Literal(MySqlSql.AccountHost)} AND {userColumn} IN ({string.Join(", ", accounts.Select(MySqlSql.Literal))})";
    }

    private static async Task ReadAsync(MySqlConnection connection, string sql, Action<MySqlDataReader> row, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            row(reader);
        }
    }

    /// <summary>A yes/no column, whichever way the server types it (comparison result, TINYINT(1), 'Y'/'N').</summary>
    private static bool Flag(MySqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? false : reader.GetValue(ordinal) switch
    {
        bool b => b,
        string s => s is "Y" or "1" or "true",
        var v => Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0,
    };

    /// <summary>Every <c>X_priv = 'Y'</c> column of a mysql.user or mysql.db row; Grant_priv is the grant option of the others.</summary>
    private static List<Held> PrivColumns(MySqlDataReader reader, string level, string? database, string? name)
    {
        var user = reader.GetString(reader.GetOrdinal("User"));
        var grantable = HasColumn(reader, "Grant_priv") && reader.GetString(reader.GetOrdinal("Grant_priv")) == "Y";
        var privileges = new List<Held>();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var column = reader.GetName(i);
            if (!column.EndsWith("_priv", StringComparison.OrdinalIgnoreCase) || column == "Grant_priv" || reader.IsDBNull(i) || reader.GetValue(i) is not string value || value != "Y")
            {
                continue;
            }

            privileges.Add(new Held(user, level, database, name, null, column[..^5].Replace('_', ' ').ToUpperInvariant(), grantable));
        }

        if (grantable && privileges.Count == 0)
        {
            privileges.Add(new Held(user, level, database, name, null, "GRANT OPTION", false));
        }

        return privileges;
    }

    private static bool HasColumn(MySqlDataReader reader, string name)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (reader.GetName(i) == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The privileges of a SET column (<c>Select,Insert,Grant</c>); Grant is the grant option of the others.</summary>
    private static List<Held> SetPrivileges(string user, string level, string database, string name, string? column, string set)
    {
        var items = set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var grantable = items.Contains("Grant", StringComparer.OrdinalIgnoreCase);
        var privileges = items.Where(p => !p.Equals("Grant", StringComparison.OrdinalIgnoreCase))
            .Select(p => new Held(user, level, database, name, column, p.ToUpperInvariant(), grantable)).ToList();
        if (grantable && privileges.Count == 0)
        {
            privileges.Add(new Held(user, level, database, name, column, "GRANT OPTION", false));
        }

        return privileges;
    }

    // The bits of mysql.global_priv's "access" (MariaDB's privilege_t, in the order of mysql.user's columns).
    private static readonly string[] AccessBits =
    [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS", "FILE", "GRANT OPTION",
        "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER", "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE",
        "REPLICATION SLAVE", "BINLOG MONITOR", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER",
        "EVENT", "TRIGGER", "CREATE TABLESPACE", "DELETE HISTORY", "SET USER", "FEDERATED ADMIN", "CONNECTION ADMIN",
        "READ ONLY ADMIN", "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN", "BINLOG ADMIN", "BINLOG REPLAY", "SLAVE MONITOR",
    ];

    private static IEnumerable<Held> MariaDbAccess(string user, ulong access)
    {
        var grantable = (access & (1UL << 10)) != 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if ((access & (1UL << bit)) == 0 || bit == 10)
            {
                continue;
            }

            var name = bit < AccessBits.Length ? AccessBits[bit] : $"privilege bit {bit}";
            yield return new Held(user, "global", null, null, null, name, grantable);
        }

        if (grantable && access == 1UL << 10)
        {
            yield return new Held(user, "global", null, null, null, "GRANT OPTION", false);
        }
    }
}
