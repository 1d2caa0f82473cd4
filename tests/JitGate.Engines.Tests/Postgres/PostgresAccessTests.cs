using JitGate.Engines.Postgres;
using Npgsql;

namespace JitGate.Engines.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresAccessTests(PostgresFixture pg)
{
    private const string Password = "reader-Pass-2";
    private static readonly QueryLimits Limits = new(100, TimeSpan.FromSeconds(10));
    private static readonly TableRef Employee = new("public", "employee");
    private static readonly TableRef Salary = new("public", "salary");
    private static readonly TableRef Title = new("public", "title");

    private Task<RoleReport> Reconcile(string role, ReadGrant grant, DateTimeOffset? validUntil = null) =>
        PostgresAccess.ReconcileAsync(pg.Server, PostgresFixture.Database, role, Password, grant, validUntil, CancellationToken.None);

    private Task<QueryOutcome> Run(string role, string sql) =>
        PostgresQueryRunner.RunAsync(pg.Server, PostgresFixture.Database, role, Password, sql, Limits, CancellationToken.None);

    private async Task<NpgsqlConnection> OpenSessionAsync(string role)
    {
        var session = pg.LoginAs(role, Password);
        await session.OpenAsync();
        await using var command = new NpgsqlCommand("select 1", session);
        await command.ExecuteScalarAsync();
        return session;
    }

    private static async Task AssertSessionEndedAsync(NpgsqlConnection session)
    {
        await using var command = new NpgsqlCommand("select 1", session);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Creates_the_role_and_a_second_run_changes_nothing()
    {
        var role = pg.NewRoleName();
        var validUntil = new DateTimeOffset(2099, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var first = await Reconcile(role, ReadGrant.Tables([Employee, Salary, new TableRef("public", "no_such_table")]), validUntil);
        Assert.True(first.RoleCreated);
        Assert.Contains("SELECT on table public.salary", first.Granted);
        Assert.Contains("CONNECT on database hr_prod", first.Granted);
        Assert.Equal([new TableRef("public", "no_such_table")], first.Missing);

        var second = await Reconcile(role, ReadGrant.Tables([Employee, Salary, new TableRef("public", "no_such_table")]), validUntil);
        Assert.False(second.Changed, second.ToString());

        Assert.Equal(
            "2099-01-02 03:04:05+00",
            await pg.ScalarAsSuperuserAsync<string>($"select rolvaliduntil::text from pg_roles where rolname = '{role}'"));
        Assert.Equal(
            "LOGIN NOINHERIT",
            await pg.ScalarAsSuperuserAsync<string>(
                $"select case when rolcanlogin then 'LOGIN' else 'NOLOGIN' end || case when rolinherit then ' INHERIT' else ' NOINHERIT' end from pg_roles where rolname = '{role}'"));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from salary"));
        Assert.True(await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None));
    }

    [Fact]
    public async Task Narrowing_revokes_and_ends_open_sessions()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Employee, Salary, Title]));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from salary"));
        await using var session = await OpenSessionAsync(role);

        var report = await Reconcile(role, ReadGrant.Tables([Employee, Title]));
        Assert.Equal(["SELECT on table public.salary"], report.Revoked);
        Assert.True(report.SessionsTerminated >= 1);
        await AssertSessionEndedAsync(session);

        var denied = Assert.IsType<QueryOutcome.Denied>(await Run(role, "select count(*) from salary"));
        Assert.Equal([Salary], denied.Tables);
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from title"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task Everything_grants_every_table_and_view_then_nothing_revokes_them()
    {
        var role = pg.NewRoleName();
        var report = await Reconcile(role, ReadGrant.Everything);
        Assert.Contains("SELECT on table public.department", report.Granted);
        Assert.Equal([new TableRef("payroll", "bonus")], report.NotGrantable);
        Assert.Contains("SELECT on table public.current_dept_emp", report.Granted);
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from current_dept_emp"));

        report = await Reconcile(role, ReadGrant.Nothing);
        Assert.Contains("SELECT on table public.department", report.Revoked);
        Assert.IsType<QueryOutcome.Denied>(await Run(role, "select count(*) from department"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task A_grant_made_by_hand_through_the_admin_login_is_revoked()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Employee]));
        await using (var admin = new NpgsqlConnection(
            $"Host=127.0.0.1;Port={pg.Port};Username={PostgresFixture.AdminName};Password={PostgresFixture.AdminPassword};Database=hr_prod;Pooling=false"))
        {
            await admin.OpenAsync();
            await using var grant = new NpgsqlCommand($"GRANT SELECT ON department TO {role}; GRANT SELECT ON employee TO {role} WITH GRANT OPTION", admin);
            await grant.ExecuteNonQueryAsync();
        }

        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from department"));
        var report = await Reconcile(role, ReadGrant.Tables([Employee]));
        Assert.Equal(["SELECT on table public.department", "SELECT on table public.employee (grant option)"], report.Revoked.Order());
        Assert.IsType<QueryOutcome.Denied>(await Run(role, "select count(*) from department"));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from employee"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task A_grant_made_by_hand_by_a_superuser_fails_closed_until_revoked()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Employee]));
        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"GRANT SELECT, INSERT ON department TO {role}");
        await using var session = await OpenSessionAsync(role);

        // The owner's grant cannot be revoked by a non-superuser admin: the role is shut out instead.
        var ex = await Assert.ThrowsAsync<EngineException>(() => Reconcile(role, ReadGrant.Tables([Employee])));
        Assert.Contains("public.department", ex.Message, StringComparison.Ordinal);
        Assert.Contains("granted by postgres", ex.Message, StringComparison.Ordinal);
        await AssertSessionEndedAsync(session);
        var denied = Assert.IsType<QueryOutcome.Denied>(await Run(role, "select count(*) from employee"));
        Assert.Empty(denied.Tables);

        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"REVOKE ALL ON department FROM {role}");
        var report = await Reconcile(role, ReadGrant.Tables([Employee]));
        Assert.Contains(report.RoleChanges, c => c.Contains("LOGIN", StringComparison.Ordinal));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from employee"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task A_grant_the_admin_may_not_give_throws_instead_of_passing_silently()
    {
        var role = pg.NewRoleName();
        var ex = await Assert.ThrowsAsync<EngineException>(() =>
            Reconcile(role, ReadGrant.Tables([Employee, new TableRef("payroll", "bonus")])));
        Assert.Contains("payroll", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GRANT OPTION", ex.Message, StringComparison.Ordinal);
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task End_access_stops_logins_and_ends_open_sessions()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddHours(1));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(*) from salary"));
        await using var session = await OpenSessionAsync(role);

        var report = await PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
        Assert.Contains("SELECT on table public.salary", report.Revoked);
        Assert.Contains("CONNECT on database hr_prod", report.Revoked);
        Assert.True(report.SessionsTerminated >= 1);

        await AssertSessionEndedAsync(session);
        Assert.Empty(Assert.IsType<QueryOutcome.Denied>(await Run(role, "select count(*) from salary")).Tables);
        await using var fresh = pg.LoginAs(role, Password);
        var login = await Assert.ThrowsAsync<PostgresException>(() => fresh.OpenAsync());
        // Past VALID UNTIL the password check fails first (28P01); NOLOGIN alone would be 28000.
        Assert.Contains(login.SqlState, new[] { PostgresErrorCodes.InvalidPassword, PostgresErrorCodes.InvalidAuthorizationSpecification });
        Assert.True(await pg.ScalarAsSuperuserAsync<bool>($"select rolvaliduntil <= now() from pg_roles where rolname = '{role}'"));

        Assert.False((await PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None)).Changed);
        Assert.True(await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None));
    }

    [Fact]
    public async Task A_login_holds_at_most_its_connection_limit_of_sessions_and_a_lifted_limit_is_put_back()
    {
        // Without a limit a credential's holder could take every connection slot, and an admin that is not a
        // superuser could then not connect to end the access. A login made without one (the SQL editor's, or one
        // from before limits) holds three sessions when the limit of two comes.
        var role = pg.NewRoleName();
        var validUntil = DateTimeOffset.UtcNow.AddHours(1);
        Task<RoleReport> ReconcileWith(int limit) => PostgresAccess.ReconcileAsync(
            pg.Server with { LoginConnectionLimit = limit }, PostgresFixture.Database, role, Password, ReadGrant.Tables([Salary]), validUntil, CancellationToken.None);
        Task<int> LimitAsync() => pg.ScalarAsSuperuserAsync<int>($"select rolconnlimit from pg_roles where rolname = '{role}'");

        await ReconcileWith(0);
        Assert.Equal(-1, await LimitAsync());
        await using var first = await OpenSessionAsync(role);
        await using var second = await OpenSessionAsync(role);
        await using var third = await OpenSessionAsync(role);

        var limited = await ReconcileWith(2);
        Assert.Equal(2, await LimitAsync());
        Assert.Contains("1 session(s) over the connection limit ended", limited.RoleChanges);
        // The newest session (the highest process id) is the one ended; the two oldest go on.
        await AssertSessionEndedAsync(third);
        // The client hears of the end before its server process has left pg_stat_activity.
        var open = 0L;
        for (var i = 0; i < 100 && (open = await pg.ScalarAsSuperuserAsync<long>($"select count(*) from pg_stat_activity where usename = '{role}'")) != 2; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2L, open);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => OpenSessionAsync(role));
        Assert.Equal(PostgresErrorCodes.TooManyConnections, refused.SqlState);
        // The login's own limit, not the server's max_connections (the same SQLSTATE).
        Assert.Contains("too many connections for role", refused.MessageText, StringComparison.Ordinal);

        // A DBA lifts the limit by hand: the next reconcile (the drift check's) puts it back and says so.
        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"alter role {role} connection limit -1");
        var report = await ReconcileWith(2);
        Assert.Contains(report.RoleChanges, c => c.Contains("CONNECTION LIMIT 2", StringComparison.Ordinal));
        Assert.Equal(2, await LimitAsync());
        var again = await ReconcileWith(2);
        Assert.False(again.Changed, again.ToString());
        await first.CloseAsync();
        await second.CloseAsync();
        Assert.True(await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None));
    }

    [Fact]
    public async Task A_role_holder_cannot_hold_back_the_end_of_its_access_with_an_advisory_lock()
    {
        // pg_advisory_lock is open to every role, and JitGate's lock keys are derived from role names, so a
        // native session can take the key JitGate takes before ending that role's access.
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddHours(1));
        await using var holder = await OpenSessionAsync(role);
        await using (var grab = new NpgsqlCommand(
            $"select pg_advisory_lock({PostgresRoleLock.LockClass}, hashtext('{role}')), pg_advisory_lock_shared({PostgresRoleLock.LockClass}, hashtext('{role}'))", holder))
        {
            await grab.ExecuteNonQueryAsync();
        }
        // A second session of the same role waiting for the key must not get ahead of JitGate either, nor a
        // third that never waits but tries for the key without pause.
        var queued = await OpenSessionAsync(role);
        var wait = new NpgsqlCommand($"select pg_advisory_lock({PostgresRoleLock.LockClass}, hashtext('{role}'))", queued);
        var waiting = wait.ExecuteNonQueryAsync();
        var spinner = await OpenSessionAsync(role);
        var spin = new NpgsqlCommand(
            $"select count(*) from generate_series(1, 1000000000) g where pg_try_advisory_lock({PostgresRoleLock.LockClass}, hashtext('{role}')) "
            + $"and pg_advisory_unlock({PostgresRoleLock.LockClass}, hashtext('{role}'))", spinner);
        var spinning = spin.ExecuteNonQueryAsync();
        try
        {
            for (var i = 0; i < 100 && await pg.ScalarAsSuperuserAsync<long>(
                     $"select count(*) from pg_locks l join pg_stat_activity a using (pid) where l.locktype = 'advisory' and not l.granted and a.usename = '{role}'") == 0; i++)
            {
                await Task.Delay(50);
            }
            Assert.False(waiting.IsCompleted);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using (await PostgresRoleLock.AcquireAsync(pg.Server, PostgresFixture.Database, [role], timeout.Token))
            {
                var report = await PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, timeout.Token);
                Assert.Contains("SELECT on table public.salary", report.Revoked);
            }

            await AssertSessionEndedAsync(holder);
            // The waiting session may be handed the key for the moment between the holder's exit and its own,
            // but it is ended before JitGate holds the key: the server has no session of the role left.
            await Task.WhenAny(waiting);
            Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>($"select count(*) from pg_stat_activity where usename = '{role}'"));
        }
        finally
        {
            // On failure the queued session is still waiting; end it so that its connection can be disposed.
            await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"select pg_terminate_backend(pid) from pg_stat_activity where usename = '{role}'");
            await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(5)));
            await Task.WhenAny(spinning, Task.Delay(TimeSpan.FromSeconds(5)));
            await wait.DisposeAsync();
            await queued.DisposeAsync();
            await spin.DisposeAsync();
            await spinner.DisposeAsync();
        }

        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task A_role_changing_its_own_password_in_an_open_transaction_does_not_hold_back_the_end_of_its_access()
    {
        // A role may ALTER its own password; left uncommitted, that holds its pg_authid row, which the
        // ALTER ROLE ... NOLOGIN that ends its access must change.
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddHours(1));
        await using var holder = await OpenSessionAsync(role);
        await using (var alter = new NpgsqlCommand($"begin; alter role current_user password 'Other-pass-9'", holder))
        {
            await alter.ExecuteNonQueryAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using (await PostgresRoleLock.AcquireAsync(pg.Server, PostgresFixture.Database, [role], timeout.Token))
        {
            var report = await PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, timeout.Token);
            Assert.Contains("SELECT on table public.salary", report.Revoked);
        }

        await AssertSessionEndedAsync(holder);
        Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>($"select count(*) from pg_stat_activity where usename = '{role}'"));
        Assert.False(await pg.ScalarAsSuperuserAsync<bool>($"select rolcanlogin from pg_roles where rolname = '{role}'"));
        await using var fresh = pg.LoginAs(role, Password);
        await Assert.ThrowsAsync<PostgresException>(() => fresh.OpenAsync());
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task Another_ordinary_login_holding_a_jitgate_key_is_ended_not_waited_for()
    {
        // Advisory locks are open to every role, not only to JitGate's logins: any login of the database (an
        // application's, a colleague's) could take the key of someone's JitGate login and hold back its end.
        var role = pg.NewRoleName();
        var other = $"plain_{Guid.NewGuid():N}"[..20];
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddHours(1));
        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database,
            $"CREATE ROLE {other} LOGIN PASSWORD 'Plain-pass-1'", $"GRANT CONNECT ON DATABASE {PostgresFixture.Database} TO {other}");
        try
        {
            await using var holder = pg.LoginAs(other, "Plain-pass-1");
            await holder.OpenAsync();
            await using (var grab = new NpgsqlCommand($"select pg_advisory_lock({PostgresRoleLock.LockClass}, hashtext('{role}'))", holder))
            {
                await grab.ExecuteNonQueryAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using (await PostgresRoleLock.AcquireAsync(pg.Server, PostgresFixture.Database, [role], timeout.Token))
            {
                var report = await PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, timeout.Token);
                Assert.Contains("SELECT on table public.salary", report.Revoked);
            }

            await AssertSessionEndedAsync(holder);
        }
        finally
        {
            await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database,
                $"select pg_terminate_backend(pid) from pg_stat_activity where usename = '{other}'",
                $"REVOKE CONNECT ON DATABASE {PostgresFixture.Database} FROM {other}", $"DROP ROLE {other}");
        }

        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task Another_login_that_keeps_jitgate_waiting_without_a_key_is_waited_for_not_ended()
    {
        // An application's owner changing the same table's privileges in an open transaction holds the
        // table's catalog row; that is no attempt on JitGate's locks, so its session stays.
        var role = pg.NewRoleName();
        var owner = $"app_owner_{Guid.NewGuid():N}"[..20];
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddHours(1));
        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database,
            $"CREATE ROLE {owner} LOGIN PASSWORD 'Owner-pass-1'", $"GRANT CONNECT ON DATABASE {PostgresFixture.Database} TO {owner}",
            $"GRANT SELECT ON salary TO {owner} WITH GRANT OPTION");
        await using var app = pg.LoginAs(owner, "Owner-pass-1");
        await app.OpenAsync();
        await using (var grant = new NpgsqlCommand("begin; grant select on salary to public", app))
        {
            await grant.ExecuteNonQueryAsync();
        }

        var ending = PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
        // Long past the 200 ms after which JitGate starts ending sessions that hold it up.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(ending.IsCompleted);
        await using (var rollback = new NpgsqlCommand("rollback", app))
        {
            await rollback.ExecuteNonQueryAsync();
        }

        var report = await ending;
        Assert.Contains("SELECT on table public.salary", report.Revoked);
        await using (var alive = new NpgsqlCommand("select 1", app))
        {
            Assert.Equal(1, await alive.ExecuteScalarAsync());
        }
        await app.CloseAsync();
        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database,
            $"REVOKE ALL ON salary FROM {owner} CASCADE", $"REVOKE CONNECT ON DATABASE {PostgresFixture.Database} FROM {owner}", $"DROP ROLE {owner}");
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task Advisory_locks_taken_by_a_statement_do_not_stay_with_the_pooled_session()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Salary]));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select count(pg_advisory_lock(k)) from generate_series(1, 100) k"));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select pg_advisory_lock(7), 1"));
        Assert.IsNotType<QueryOutcome.Success>(await Run(role, "select pg_advisory_lock(8), 1 / 0"));
        Assert.IsType<QueryOutcome.Success>(await Run(role, "select pg_advisory_lock(9) from salary, pg_sleep(0) limit 1"));
        Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>(
            $"select count(*) from pg_locks l join pg_stat_activity a using (pid) where l.locktype = 'advisory' and a.usename = '{role}'"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task A_long_read_in_an_open_transaction_does_not_hold_back_the_end_of_access()
    {
        // The holder keeps the granted table locked (ACCESS SHARE, all that SELECT allows) in a transaction
        // that stays open, then reads on; neither may make the REVOKE or the end of its session wait.
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddHours(1));
        await using var holder = await OpenSessionAsync(role);
        await using (var begin = new NpgsqlCommand("begin; lock table salary in access share mode", holder))
        {
            await begin.ExecuteNonQueryAsync();
        }
        await using var sleep = new NpgsqlCommand("select pg_sleep(60) from salary limit 1", holder);
        var reading = sleep.ExecuteNonQueryAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using (await PostgresRoleLock.AcquireAsync(pg.Server, PostgresFixture.Database, [role], timeout.Token))
        {
            var report = await PostgresAccess.EndAccessAsync(pg.Server, PostgresFixture.Database, role, timeout.Token);
            Assert.Contains("SELECT on table public.salary", report.Revoked);
            Assert.True(report.SessionsTerminated >= 1);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => reading);
        Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>($"select count(*) from pg_stat_activity where usename = '{role}'"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task An_expired_valid_until_denies_new_logins()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Salary]), DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Empty(Assert.IsType<QueryOutcome.Denied>(await Run(role, "select 1")).Tables);
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Fact]
    public async Task Drop_role_after_grants_and_again_when_missing()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Everything);
        await using var session = await OpenSessionAsync(role);
        Assert.True(await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None));
        Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>($"select count(*) from pg_roles where rolname = '{role}'"));
        await AssertSessionEndedAsync(session);
        Assert.False(await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None));
    }

    [Fact]
    public async Task Memberships_and_attributes_added_by_hand_are_removed()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Employee]));
        await pg.ExecuteAsSuperuserAsync("postgres", $"ALTER ROLE {role} INHERIT CREATEDB", $"GRANT pg_read_all_data TO {role}");
        var report = await Reconcile(role, ReadGrant.Tables([Employee]));
        Assert.Contains("membership in pg_read_all_data removed", report.RoleChanges);
        Assert.IsType<QueryOutcome.Denied>(await Run(role, "select count(*) from department"));
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }

    [Theory]
    [InlineData("JIT_x")]
    [InlineData("jit_")]
    [InlineData("postgres")]
    [InlineData("jit_x\"; drop table salary; --")]
    public async Task Role_names_outside_the_pattern_are_refused(string role)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Reconcile(role, ReadGrant.Nothing));
    }

    [Fact]
    public async Task Native_client_reads_granted_tables_and_is_refused_others()
    {
        var role = pg.NewRoleName();
        await Reconcile(role, ReadGrant.Tables([Employee, Salary, Title]));
        var read = pg.Psql(role, Password, "select count(*) from salary");
        Assert.True(read.ExitCode == 0, read.Output);
        Assert.Equal("9488", read.Output.Trim());

        var refused = pg.Psql(role, Password, "select count(*) from department");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("permission denied for table department", refused.Output, StringComparison.Ordinal);
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
    }
}
