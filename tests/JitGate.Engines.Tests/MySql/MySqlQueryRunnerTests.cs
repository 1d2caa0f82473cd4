using System.Diagnostics;
using JitGate.Engines.MySql;

namespace JitGate.Engines.Tests.MySql;

[Collection(MariaDbCollection.Name)]
public sealed class MySqlQueryRunnerTests(MariaDbFixture db) : IAsyncLifetime
{
    private const string Password = "readerPass1";
    private static readonly QueryLimits Limits = new(1000, TimeSpan.FromSeconds(10));

    private readonly string _account = db.NewAccountName();

    public async Task InitializeAsync() =>
        await MySqlAccess.ReconcileAsync(db.Admin, MariaDbFixture.Database, _account, Password, AdversarialCases.GrantFor(Engine.MySql), null, CancellationToken.None);

    public async Task DisposeAsync() =>
        await MySqlAccess.DropAccountAsync(db.Admin, MariaDbFixture.Database, _account, CancellationToken.None);

    private Task<QueryOutcome> Run(string sql, QueryLimits? limits = null, CancellationToken ct = default) =>
        MySqlQueryRunner.RunAsync(db.Admin, MariaDbFixture.Database, _account, Password, sql, limits ?? Limits, ct);

    [Theory]
    [MemberData(nameof(JoinFormCases.Indexes), MemberType = typeof(JoinFormCases))]
    public async Task Every_join_form_reads_only_granted_tables(int index)
    {
        var join = JoinFormCases.All[index];
        // MariaDB stops at the first table it may not read. It has no FULL JOIN: "employee full join dept_emp"
        // reads as "employee AS full JOIN dept_emp", still refused on dept_emp.
        JoinFormCases.AssertOutcome(join, await Run(join.Sql), namesEvery: false);
    }

    [Fact]
    public async Task Reads_and_joins_granted_tables_with_json_friendly_values()
    {
        var outcome = Assert.IsType<QueryOutcome.Success>(await Run(
            """
            select e.emp_no, e.first_name, e.hire_date, s.amount, t.title
            from employee e join salary s on s.emp_no = e.emp_no join title t on t.emp_no = e.emp_no
            where e.emp_no = 10001 order by s.from_date limit 3
            """));
        Assert.Equal(["emp_no", "first_name", "hire_date", "amount", "title"], outcome.Columns.Select(c => c.Name));
        Assert.Equal(3, outcome.Rows.Count);
        Assert.Equal(10001L, outcome.Rows[0][0]);
        Assert.IsType<string>(outcome.Rows[0][1]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", (string)outcome.Rows[0][2]!);
        Assert.IsType<long>(outcome.Rows[0][3]);

        var values = Assert.IsType<QueryOutcome.Success>(await Run(
            "select 1.5e0, 12.30, 123456789012345678901234567890.5, true, null, cast('2024-01-31 12:00:00.5' as datetime(1)), "
            + "cast('2024-01-31' as date), cast('-01:02:03' as time), x'0102', 18446744073709551615, 'text'"));
        var row = Assert.Single(values.Rows);
        Assert.Equal(1.5, row[0]);
        Assert.Equal(12.30m, row[1]);
        Assert.Equal("123456789012345678901234567890.5", row[2]);
        Assert.Equal(1L, row[3]);
        Assert.Null(row[4]);
        Assert.Equal("2024-01-31T12:00:00.5", row[5]);
        Assert.Equal("2024-01-31", row[6]);
        Assert.Equal("-01:02:03", row[7]);
        Assert.Equal(new byte[] { 1, 2 }, row[8]);
        Assert.Equal(18446744073709551615m, row[9]);
        Assert.Equal("text", row[10]);
    }

    [Fact]
    public async Task Row_and_byte_caps_truncate_and_the_session_stays_usable()
    {
        var rows = Assert.IsType<QueryOutcome.Success>(await Run("select * from salary", new QueryLimits(5, TimeSpan.FromSeconds(10))));
        Assert.Equal(5, rows.Rows.Count);
        Assert.Equal("rows", rows.TruncatedBy);

        var limits = new QueryLimits(1000, TimeSpan.FromSeconds(30), MaxBytes: 4 * 1024 * 1024);
        var bytes = Assert.IsType<QueryOutcome.Success>(await Run("select repeat('x', 1000000) from salary limit 1000", limits));
        Assert.Equal("bytes", bytes.TruncatedBy);
        Assert.InRange(bytes.Rows.Count, 3, 4);
        Assert.IsType<QueryOutcome.Success>(await Run("select count(*) from salary", limits));
    }

    [Fact]
    public async Task A_statement_past_the_limit_is_timed_out_even_when_it_lifts_the_servers_own_limit()
    {
        var limit = TimeSpan.FromMilliseconds(400);
        foreach (var sql in new[]
        {
            "select sleep(5)",
            "set statement max_statement_time=0 for select sleep(5)",
            "select sleep(5) from employee limit 1",
        })
        {
            var clock = Stopwatch.StartNew();
            var outcome = await Run(sql, new QueryLimits(10, limit));
            Assert.True(outcome is QueryOutcome.TimedOut, $"{sql}: {outcome}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{sql} took {clock.Elapsed}");
        }

        Assert.IsType<QueryOutcome.Success>(await Run("select 1"));
    }

    [Fact]
    public async Task Cancellation_throws_and_ends_the_statement()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run("select sleep(5)", ct: cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
        Assert.IsType<QueryOutcome.Success>(await Run("select 1"));
    }

    [Theory]
    [InlineData("select * from department", "department")]
    [InlineData("select * from current_dept_emp", "current_dept_emp")]
    [InlineData("select e.* from employee e join dept_emp d using (emp_no)", "dept_emp")]
    [InlineData("select * from hr_prod.department", "department")]
    [InlineData("select dept_name from department", "department")]
    public async Task Ungranted_tables_and_views_are_denied_by_name(string sql, string table)
    {
        var denied = Assert.IsType<QueryOutcome.Denied>(await Run(sql));
        Assert.Equal([new TableRef(MariaDbFixture.Database, table)], denied.Tables);
    }

    [Fact]
    public async Task Another_database_is_refused_without_a_request_for_this_one()
    {
        var invalid = Assert.IsType<QueryOutcome.Invalid>(await Run("select * from payroll.bonus"));
        Assert.Contains("payroll.bonus", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multiple_statements_never_run()
    {
        var before = await db.ScalarAsRootAsync<long>("select count(*) from salary");
        foreach (var sql in new[] { "select 1; delete from salary", "select * from employee; select * from department", "select ';'; delete from salary -- ;" })
        {
            Assert.IsType<QueryOutcome.Invalid>(await Run(sql));
        }

        Assert.IsType<QueryOutcome.Success>(await Run("select 1;"));
        Assert.IsType<QueryOutcome.Success>(await Run("-- leading\nselect 1 /* trailing */"));
        Assert.IsType<QueryOutcome.Invalid>(await Run("  "));
        Assert.Equal(before, await db.ScalarAsRootAsync<long>("select count(*) from salary"));
    }

    [Fact]
    public async Task A_query_account_that_changes_its_own_password_gets_jitgates_back_before_the_answer()
    {
        // MariaDB lets any account set its own password; the statement commits implicitly, which ends
        // JitGate's read-only transaction, so the runner refuses it and puts its own password back. A session
        // opened with the new password in the moment before that (here: one already open) is ended as well.
        await using (var outside = db.LoginAs(_account, Password))
        {
            await outside.OpenAsync();
            Assert.IsType<QueryOutcome.ReadOnlyViolation>(await Run("set password = password('mine')"));
            await using var probe = new MySqlConnector.MySqlCommand("select 1", outside);
            await Assert.ThrowsAnyAsync<MySqlConnector.MySqlException>(() => probe.ExecuteScalarAsync());
        }

        Assert.Equal(0L, await db.SessionsOfAsync(_account));
        Assert.NotEqual(0, db.Client(_account, "mine", "select 1").ExitCode);
        Assert.Equal(0, db.Client(_account, Password, "select 1").ExitCode);

        // Changed behind the runner's back (a native session of the same account): the next query's
        // login fails once, the runner puts its password back and logs in again.
        await using (var native = db.LoginAs(_account, Password))
        {
            await native.OpenAsync();
            await using var change = new MySqlConnector.MySqlCommand("set password = password('mine2')", native);
            await change.ExecuteNonQueryAsync();
        }

        MySqlQueryRunner.ClearPool(db.Admin, MariaDbFixture.Database, _account);
        Assert.IsType<QueryOutcome.Success>(await Run("select count(*) from employee"));
        Assert.NotEqual(0, db.Client(_account, "mine2", "select 1").ExitCode);
    }

    [Theory]
    [InlineData("BEGIN NOT ATOMIC SET PASSWORD = PASSWORD('mine4'); START TRANSACTION READ ONLY; END")]
    [InlineData("IF 1 THEN SET PASSWORD = PASSWORD('mine4'); START TRANSACTION; END IF")]
    [InlineData("BEGIN NOT ATOMIC SET PASSWORD = PASSWORD('mine4'); START TRANSACTION READ ONLY; SAVEPOINT jitgate; END")]
    public async Task A_compound_statement_that_sets_the_password_and_opens_a_new_transaction_is_caught(string statement)
    {
        // MariaDB prepares compound statements, so one statement can commit (SET PASSWORD does) and then open a
        // transaction of its own, which @@in_transaction alone cannot tell from JitGate's.
        Assert.IsType<QueryOutcome.ReadOnlyViolation>(await Run(statement));
        Assert.NotEqual(0, db.Client(_account, "mine4", "select 1").ExitCode);
        Assert.Equal(0, db.Client(_account, Password, "select 1").ExitCode);
        Assert.IsType<QueryOutcome.Success>(await Run("select count(*) from employee"));
    }

    [Fact]
    public async Task A_query_whose_session_is_lost_puts_jitgates_password_back_and_ends_the_accounts_sessions()
    {
        // The user's second query may KILL the first one's session (an account may kill its own) right after
        // the first set the password, before the runner could check: nothing then says the password is still
        // JitGate's. Here the password is changed from a native session while the query runs, and the query's
        // session is killed; the runner must answer with the loss only after putting its password back.
        var running = Run("select sleep(30)");
        long thread = 0;
        for (var i = 0; i < 100 && thread == 0; i++)
        {
            await Task.Delay(50);
            thread = await db.ScalarAsRootAsync<long>(
                $"SELECT COALESCE(MAX(ID), 0) FROM information_schema.PROCESSLIST WHERE USER = '{_account}' AND COMMAND <> 'Sleep'");
        }

        Assert.NotEqual(0L, thread);
        using var native = db.OpenClient(_account, Password);
        await native.SendAsync("set password = password('mine3');");
        using var chosen = db.OpenClient(_account, "mine3");
        Assert.Contains("OK", await chosen.SendAsync("select 'OK' from dual;"), StringComparison.Ordinal);
        await db.ExecuteAsRootAsync(FormattableString.Invariant($"KILL CONNECTION {thread}"));

        await Assert.ThrowsAsync<EngineException>(() => running);
        Assert.Equal(0L, await db.SessionsOfAsync(_account));
        Assert.NotEqual(0, db.Client(_account, "mine3", "select 1").ExitCode);
        Assert.Equal(0, db.Client(_account, Password, "select 1").ExitCode);
        Assert.IsType<QueryOutcome.Success>(await Run("select count(*) from employee"));
    }
}
