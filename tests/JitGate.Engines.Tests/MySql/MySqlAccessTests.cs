using JitGate.Engines.MySql;
using MySqlConnector;

namespace JitGate.Engines.Tests.MySql;

[Collection(MariaDbCollection.Name)]
public sealed class MySqlAccessTests(MariaDbFixture db) : IAsyncLifetime
{
    private const string Password = "accountPass1";
    private const string Database = MariaDbFixture.Database;
    private readonly string _account = db.NewAccountName();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await MySqlAccess.DropAccountAsync(db.Admin, Database, _account, CancellationToken.None);

    private static ReadGrant Tables(params string[] names) => ReadGrant.Tables(names.Select(n => new TableRef(Database, n)));

    private Task<RoleReport> Reconcile(ReadGrant grant, string password = Password) =>
        MySqlAccess.ReconcileAsync(db.Admin, Database, _account, password, grant, null, CancellationToken.None);

    private Task<List<string>> GrantsAsync() => GrantsOfAsync(_account);

    private async Task<List<string>> GrantsOfAsync(string account)
    {
        await using var connection = db.Root();
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"SHOW GRANTS FOR '{account}'@'%'", connection);
        var grants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var grant = reader.GetString(0);
            grants.Add(grant.Contains("IDENTIFIED BY", StringComparison.Ordinal) ? grant[..grant.IndexOf(" IDENTIFIED BY", StringComparison.Ordinal)] : grant);
        }

        return grants;
    }

    private async Task<bool> LockedAsync() =>
        await db.ScalarAsRootAsync<long>($"SELECT JSON_VALUE(Priv, '$.account_locked') IN ('true', '1') FROM mysql.global_priv WHERE User = '{_account}'") == 1;

    [Fact]
    public async Task Reconcile_creates_the_account_with_exactly_the_grant_and_is_idempotent()
    {
        var first = await Reconcile(Tables("employee", "salary", "no_such_table"));
        Assert.True(first.RoleCreated);
        Assert.Equal(["SELECT on table hr_prod.employee", "SELECT on table hr_prod.salary"], first.Granted.Order());
        Assert.Equal([new TableRef(Database, "no_such_table")], first.Missing);
        Assert.Equal(
            [$"GRANT SELECT ON `hr_prod`.`employee` TO `{_account}`@`%`", $"GRANT SELECT ON `hr_prod`.`salary` TO `{_account}`@`%`", $"GRANT USAGE ON *.* TO `{_account}`@`%`"],
            (await GrantsAsync()).Order());

        var again = await Reconcile(Tables("employee", "salary", "no_such_table"));
        Assert.False(again.Changed);
        Assert.Equal(0, db.Client(_account, Password, "select count(*) from salary").ExitCode);
    }

    [Fact]
    public async Task Everything_is_one_database_level_grant_that_matches_no_other_database()
    {
        var report = await Reconcile(ReadGrant.Everything);
        Assert.Equal(["SELECT on database hr_prod"], report.Granted);
        // Escaped: hr\_prod matches hr_prod only, where hr_prod would also match hrXprod.
        Assert.Contains($"GRANT SELECT ON `hr\\_prod`.* TO `{_account}`@`%`", await GrantsAsync());
        var (ok, output) = db.Client(_account, Password, "select count(*) from department");
        Assert.True(ok == 0, output);
    }

    [Fact]
    public async Task An_account_holds_at_most_its_connection_limit_of_sessions_and_a_lifted_limit_is_put_back()
    {
        // Without a limit a credential's holder could take every connection slot and keep the admin out. An
        // account made without one holds three sessions when the limit of two comes.
        Task<RoleReport> ReconcileWith(int limit) => MySqlAccess.ReconcileAsync(
            db.Admin with { LoginConnectionLimit = limit }, Database, _account, Password, Tables("salary"), null, CancellationToken.None);
        Task<long> MaxUserConnectionsAsync() =>
            db.ScalarAsRootAsync<long>($"SELECT CAST(JSON_VALUE(Priv, '$.max_user_connections') AS SIGNED) FROM mysql.global_priv WHERE User = '{_account}'");

        await ReconcileWith(0);
        Assert.Equal(0L, await MaxUserConnectionsAsync());
        var before = new List<MySqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                before.Add(db.LoginAs(_account, Password));
                await before[^1].OpenAsync();
            }

            var limited = await ReconcileWith(2);
            Assert.Equal(2L, await MaxUserConnectionsAsync());
            Assert.Contains("3 session(s) ended: more were open than the connection limit", limited.RoleChanges);
            Assert.Equal(0L, await db.SessionsOfAsync(_account));
        }
        finally
        {
            foreach (var session in before) await session.DisposeAsync();
        }

        await using (var first = db.LoginAs(_account, Password))
        await using (var second = db.LoginAs(_account, Password))
        {
            await first.OpenAsync();
            await second.OpenAsync();
            await using var third = db.LoginAs(_account, Password);
            var refused = await Assert.ThrowsAsync<MySqlException>(() => third.OpenAsync());
            // ER_USER_LIMIT_REACHED: "has exceeded the 'max_user_connections' resource".
            Assert.Equal(1226, refused.Number);
        }

        // A DBA lifts the limit by hand: the next reconcile (the drift check's) puts it back and says so.
        await db.ExecuteAsRootAsync($"ALTER USER '{_account}'@'%' WITH MAX_USER_CONNECTIONS 0");
        var report = await ReconcileWith(2);
        Assert.Contains("MAX_USER_CONNECTIONS 2", report.RoleChanges);
        Assert.Equal(2L, await MaxUserConnectionsAsync());
        var again = await ReconcileWith(2);
        Assert.False(again.Changed, again.ToString());
    }

    [Fact]
    public async Task Shrinking_revokes_and_kills_sessions_that_keep_database_level_privileges()
    {
        await Reconcile(ReadGrant.Everything);
        await using var session = db.LoginAs(_account, Password);
        await session.OpenAsync();
        await using (var probe = new MySqlCommand("select count(*) from department", session))
        {
            await probe.ExecuteScalarAsync();
        }

        var report = await Reconcile(Tables("employee"));
        Assert.Equal(["SELECT on database hr\\_prod"], report.Revoked);
        Assert.Equal(1, report.SessionsTerminated);
        await Assert.ThrowsAnyAsync<MySqlException>(async () =>
        {
            await using var after = new MySqlCommand("select count(*) from department", session);
            await after.ExecuteScalarAsync();
        });
        Assert.NotEqual(0, db.Client(_account, Password, "select count(*) from department").ExitCode);
        Assert.Equal(0, db.Client(_account, Password, "select count(*) from employee").ExitCode);
    }

    [Fact]
    public async Task Widening_to_the_whole_database_holds_from_the_next_query_although_sessions_cache_database_privileges()
    {
        await Reconcile(Tables("employee"));
        var limits = new QueryLimits(10, TimeSpan.FromSeconds(10));
        Assert.IsType<QueryOutcome.Success>(await MySqlQueryRunner.RunAsync(db.Admin, Database, _account, Password, "select count(*) from employee", limits, CancellationToken.None));
        Assert.IsType<QueryOutcome.Denied>(await MySqlQueryRunner.RunAsync(db.Admin, Database, _account, Password, "select count(*) from department", limits, CancellationToken.None));

        var report = await Reconcile(ReadGrant.Everything);
        Assert.Contains("SELECT on database hr_prod", report.Granted);
        // A pooled session selected hr_prod before the database-level grant, and MariaDB reads those
        // privileges when a session selects its database: the pool must not hand it out again.
        Assert.IsType<QueryOutcome.Success>(await MySqlQueryRunner.RunAsync(db.Admin, Database, _account, Password, "select count(*) from department", limits, CancellationToken.None));
    }

    [Fact]
    public async Task Drift_of_every_kind_is_removed_by_the_next_reconcile()
    {
        await Reconcile(Tables("employee"));
        var role = "r_" + _account;
        await db.ExecuteAsRootAsync(
            $"CREATE ROLE IF NOT EXISTS {role}",
            $"GRANT SELECT ON hr_prod.department TO {role}",
            $"GRANT {role} TO '{_account}'@'%'",
            $"GRANT PROCESS ON *.* TO '{_account}'@'%'",
            $"GRANT SELECT (dept_name) ON hr_prod.department TO '{_account}'@'%'",
            $"GRANT INSERT ON hr_prod.employee TO '{_account}'@'%'",
            $"GRANT SELECT ON hr_test.* TO '{_account}'@'%'",
            $"GRANT SELECT ON payroll.bonus TO '{_account}'@'%'",
            $"GRANT EXECUTE ON FUNCTION hr_prod.department_count TO '{_account}'@'%'");

        var report = await Reconcile(Tables("employee"));
        Assert.Contains($"role {role}", report.Revoked);
        Assert.Contains("PROCESS on *.*", report.Revoked);
        Assert.Contains("SELECT (dept_name) on table hr_prod.department", report.Revoked);
        Assert.Contains("INSERT on table hr_prod.employee", report.Revoked);
        Assert.Contains("EXECUTE on routine hr_prod.department_count", report.Revoked);
        Assert.Equal([$"GRANT SELECT ON `hr_prod`.`employee` TO `{_account}`@`%`", $"GRANT USAGE ON *.* TO `{_account}`@`%`"], (await GrantsAsync()).Order());
        Assert.False((await Reconcile(Tables("employee"))).Changed);
        await db.ExecuteAsRootAsync($"DROP ROLE {role}");
    }

    [Fact]
    public async Task Ending_access_locks_revokes_and_kills_even_after_the_account_changed_its_own_password()
    {
        await Reconcile(Tables("employee", "salary"));
        using var client = db.OpenClient(_account, Password);
        Assert.Contains("OK", await client.SendAsync("select 'OK' from dual;"), StringComparison.Ordinal);
        await client.SendAsync("set password = password('mine2');");
        Assert.Equal(0, db.Client(_account, "mine2", "select 1").ExitCode);

        var ended = await MySqlAccess.EndAccessAsync(db.Admin, Database, _account, CancellationToken.None);
        Assert.Equal(["account locked"], ended.RoleChanges);
        Assert.Equal(2, ended.Revoked.Count);
        Assert.Equal(1, ended.SessionsTerminated);
        Assert.True(await LockedAsync());
        Assert.Equal(0L, await db.SessionsOfAsync(_account));
        Assert.Equal([$"GRANT USAGE ON *.* TO `{_account}`@`%`"], await GrantsAsync());
        Assert.Contains("locked", db.Client(_account, "mine2", "select 1").Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ERROR", await client.SendAsync("select count(*) from salary;"), StringComparison.Ordinal);

        var again = await MySqlAccess.EndAccessAsync(db.Admin, Database, _account, CancellationToken.None);
        Assert.False(again.Changed);
        // A new grant unlocks it with JitGate's password; the one the account chose is gone.
        await Reconcile(Tables("employee"));
        Assert.Equal(0, db.Client(_account, Password, "select count(*) from employee").ExitCode);
        Assert.NotEqual(0, db.Client(_account, "mine2", "select 1").ExitCode);
    }

    [Fact]
    public async Task A_password_the_account_set_itself_is_put_back_by_the_next_pass_and_its_sessions_end()
    {
        // MariaDB lets any account SET PASSWORD on itself; a session opened with the chosen password must not
        // outlive the pass that puts JitGate's back, even though privileges did not change.
        await Reconcile(Tables("salary"));
        using var client = db.OpenClient(_account, Password);
        await client.SendAsync("set password = password('chosen3');");
        using var chosen = db.OpenClient(_account, "chosen3");
        Assert.Contains("OK", await chosen.SendAsync("select 'OK' from dual;"), StringComparison.Ordinal);
        Assert.Equal(2L, await db.SessionsOfAsync(_account));

        var report = await Reconcile(Tables("salary"));
        Assert.Contains("password put back: the account had changed it", report.RoleChanges);
        Assert.Contains("2 session(s) ended: its password had been changed", report.RoleChanges);
        Assert.Empty(report.Revoked);
        Assert.Equal(0L, await db.SessionsOfAsync(_account));
        Assert.NotEqual(0, db.Client(_account, "chosen3", "select 1").ExitCode);
        Assert.Equal(0, db.Client(_account, Password, "select count(*) from salary").ExitCode);

        // JitGate's own password reads as unchanged: the next pass changes nothing and ends nothing.
        using var kept = db.OpenClient(_account, Password);
        Assert.Contains("OK", await kept.SendAsync("select 'OK' from dual;"), StringComparison.Ordinal);
        var again = await Reconcile(Tables("salary"));
        Assert.False(again.Changed, again.ToString());
        Assert.Equal(1L, await db.SessionsOfAsync(_account));
    }

    [Fact]
    public async Task Many_accounts_end_together_and_missing_ones_are_skipped()
    {
        var accounts = Enumerable.Range(0, 30).Select(_ => db.NewAccountName()).ToList();
        foreach (var account in accounts)
        {
            await MySqlAccess.ReconcileAsync(db.Admin, Database, account, Password, Tables("employee"), null, CancellationToken.None);
        }

        await using var session = db.LoginAs(accounts[0], Password);
        await session.OpenAsync();
        var report = await MySqlAccess.EndAccessManyAsync(db.Admin, Database, [.. accounts, "jit_never_made"], CancellationToken.None);
        Assert.Equal(accounts.Order(StringComparer.Ordinal), report.RolesEnded);
        Assert.Equal(["jit_never_made"], report.Missing);
        Assert.Equal(1, report.SessionsEnded);
        Assert.Equal(0L, await db.ScalarAsRootAsync<long>(
            $"SELECT COUNT(*) FROM mysql.tables_priv WHERE User IN ({string.Join(", ", accounts.Select(a => $"'{a}'"))})"));
        Assert.False((await MySqlAccess.EndAccessManyAsync(db.Admin, Database, accounts, CancellationToken.None)).Changed);
        foreach (var account in accounts)
        {
            await MySqlAccess.DropAccountAsync(db.Admin, Database, account, CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_account_holder_cannot_take_the_lock_jitgate_needs_to_end_its_access()
    {
        await Reconcile(Tables("employee"));
        await using var session = db.LoginAs(_account, Password);
        await session.OpenAsync();
        // The holder may take any named lock it can name; JitGate's are keyed with the admin password.
        await using (var grab = new MySqlCommand($"SELECT GET_LOCK('jitgate_{_account}', 0), GET_LOCK('{_account}', 0)", session))
        {
            await grab.ExecuteScalarAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await using (await MySqlRoleLock.AcquireAsync(db.Admin, [_account], timeout.Token))
        {
            await MySqlAccess.EndAccessAsync(db.Admin, Database, _account, timeout.Token);
        }

        Assert.Equal(0L, await db.SessionsOfAsync(_account));
    }

    [Fact]
    public async Task A_long_read_in_an_open_transaction_does_not_hold_back_the_end_of_access()
    {
        // The holder keeps the granted table's metadata lock in a transaction that stays open, then reads on;
        // neither may make the REVOKE or the end of its session wait.
        await Reconcile(Tables("employee"));
        await using var session = db.LoginAs(_account, Password);
        await session.OpenAsync();
        await using (var begin = new MySqlCommand("START TRANSACTION; SELECT count(*) FROM employee", session))
        {
            await begin.ExecuteNonQueryAsync();
        }
        await using var sleep = new MySqlCommand("SELECT SLEEP(60) FROM employee LIMIT 1", session);
        var reading = sleep.ExecuteNonQueryAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using (await MySqlRoleLock.AcquireAsync(db.Admin, [_account], timeout.Token))
        {
            var report = await MySqlAccess.EndAccessAsync(db.Admin, Database, _account, timeout.Token);
            Assert.Contains("SELECT on table hr_prod.employee", report.Revoked);
            Assert.True(report.SessionsTerminated >= 1);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => reading);
        Assert.Equal(0L, await db.SessionsOfAsync(_account));
    }

    [Fact]
    public async Task Callers_take_turns_on_an_account()
    {
        var first = await MySqlRoleLock.AcquireAsync(db.Admin, [_account], CancellationToken.None);
        var second = MySqlRoleLock.AcquireAsync(db.Admin, [_account, "jit_other"], CancellationToken.None);
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        await first.DisposeAsync();
        await using var held = await second;
    }

    [Fact]
    public async Task The_admin_check_names_what_a_login_lacks()
    {
        Assert.Empty(await MySqlCatalog.CheckAdminAsync(db.Admin, CancellationToken.None));
        await db.ExecuteAsRootAsync("CREATE USER IF NOT EXISTS 'weak_admin'@'%' IDENTIFIED BY 'weakPass1'");
        var problems = await MySqlCatalog.CheckAdminAsync(new EngineServer("127.0.0.1", db.Port, "weak_admin", "weakPass1"), CancellationToken.None);
        Assert.Contains(problems, p => p.Contains("CREATE USER", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PROCESS", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("CONNECTION ADMIN", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GRANT OPTION", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("mysql.global_priv", StringComparison.Ordinal));
        var wrong = await MySqlCatalog.CheckAdminAsync(db.Admin with { AdminPassword = "wrong" }, CancellationToken.None);
        Assert.Contains("Cannot connect", Assert.Single(wrong), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", wrong[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_catalog_lists_the_databases_the_admin_can_grant_with_the_database_as_schema()
    {
        var engine = new MySqlEngine();
        var found = await engine.DiscoverAsync(new EngineEndpoint(db.Admin, null), CancellationToken.None);
        Assert.Equal(["hr_prod", "hr_test"], found.Select(d => d.Name));
        var prod = found[0].Tables;
        Assert.Equal(["current_dept_emp", "department", "dept_emp", "dept_emp_latest_date", "dept_manager", "employee", "salary", "title"], prod.Select(t => t.Name));
        Assert.All(prod, t => Assert.Equal("hr_prod", t.Schema));
        Assert.Equal("view", prod.Single(t => t.Name == "current_dept_emp").Kind);
        Assert.Equal(["emp_no", "amount", "from_date", "to_date"], prod.Single(t => t.Name == "salary").Columns.Select(c => c.Name));
        Assert.Equal(MariaDbFixture.Employees, await db.ScalarAsRootAsync<long>("select count(*) from employee"));
    }
}
