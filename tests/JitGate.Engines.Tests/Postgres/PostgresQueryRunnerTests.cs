using JitGate.Engines.Postgres;

namespace JitGate.Engines.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresQueryRunnerTests(PostgresFixture pg) : IAsyncLifetime
{
    private const string Password = "reader-Pass-1";
    private static readonly QueryLimits Limits = new(1000, TimeSpan.FromSeconds(10));
    private static readonly ReadGrant Granted = ReadGrant.Tables(
        [new TableRef("public", "employee"), new TableRef("public", "salary"), new TableRef("public", "title")]);

    private readonly string _role = pg.NewRoleName();

    // Short, so that the sleeps of the corpus end quickly; every other statement of it takes milliseconds.
    private static readonly QueryLimits CorpusLimits = new(1000, TimeSpan.FromSeconds(1));

    public static TheoryData<int> Attacks() => AdversarialCases.IndexesFor(Engine.Postgres);

    public async Task InitializeAsync() =>
        await PostgresAccess.ReconcileAsync(pg.Server, PostgresFixture.Database, _role, Password, Granted, null, CancellationToken.None);

    public async Task DisposeAsync() =>
        await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, _role, CancellationToken.None);

    private Task<QueryOutcome> Run(string sql, QueryLimits? limits = null) =>
        PostgresQueryRunner.RunAsync(pg.Server, PostgresFixture.Database, _role, Password, sql, limits ?? Limits, CancellationToken.None);

    [Theory]
    [MemberData(nameof(JoinFormCases.Indexes), MemberType = typeof(JoinFormCases))]
    public async Task Every_join_form_reads_only_granted_tables(int index)
    {
        var join = JoinFormCases.All[index];
        // PostgreSQL stops at the first table it may not read.
        JoinFormCases.AssertOutcome(join, await Run(join.Sql), namesEvery: false);
    }

    [Fact]
    public async Task An_answer_stops_at_its_byte_cap_without_reading_what_it_leaves_out()
    {
        var limits = new QueryLimits(1000, TimeSpan.FromSeconds(30), MaxBytes: 4 * 1024 * 1024);
        var many = Assert.IsType<QueryOutcome.Success>(await Run("select repeat('x', 1000000) from generate_series(1, 1000)", limits));
        Assert.Equal("bytes", many.TruncatedBy);
        Assert.InRange(many.Rows.Count, 3, 4);

        // One value larger than the whole cap: nothing of it is read, and the session is still usable.
        var huge = Assert.IsType<QueryOutcome.Success>(await Run("select 1 as n, repeat('x', 50000000) as big", limits));
        Assert.Equal("bytes", huge.TruncatedBy);
        Assert.Empty(huge.Rows);
        Assert.IsType<QueryOutcome.Success>(await Run("select count(*) from salary", limits));
    }

    [Fact]
    public async Task Reads_and_joins_granted_tables()
    {
        var outcome = Assert.IsType<QueryOutcome.Success>(await Run(
            """
            select e.emp_no, e.first_name, e.hire_date, s.amount, t.title
            from employee e join salary s on s.emp_no = e.emp_no join title t on t.emp_no = e.emp_no
            where e.emp_no = 10001 order by s.from_date limit 3
            """));
        Assert.Equal(["emp_no", "first_name", "hire_date", "amount", "title"], outcome.Columns.Select(c => c.Name));
        Assert.Equal("integer", outcome.Columns[0].Type);
        Assert.Equal(3, outcome.Rows.Count);
        Assert.Equal(10001L, outcome.Rows[0][0]);
        Assert.IsType<string>(outcome.Rows[0][1]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", (string)outcome.Rows[0][2]!);
        Assert.IsType<long>(outcome.Rows[0][3]);
        Assert.False(outcome.Truncated);

        var count = Assert.IsType<QueryOutcome.Success>(await Run("select count(*) from salary;"));
        Assert.Equal(9488L, count.Rows[0][0]);
    }

    [Fact]
    public async Task Values_are_json_friendly()
    {
        var outcome = Assert.IsType<QueryOutcome.Success>(await Run(
            """
            select 1.5::float8, 12.30::numeric, 1e40::numeric, 'NaN'::float8, true, null::int,
                   '2024-01-31 12:00:00.5'::timestamp, '2024-01-31 12:00:00+02'::timestamptz,
                   '\x0102'::bytea, array[1,2], '1 day'::interval, $1
            """));
        var row = outcome.Rows[0];
        Assert.Equal(1.5, row[0]);
        Assert.Equal(12.30m, row[1]);
        Assert.Equal("10000000000000000000000000000000000000000", row[2]);
        Assert.Equal("NaN", row[3]);
        Assert.Equal(true, row[4]);
        Assert.Null(row[5]);
        Assert.Equal("2024-01-31T12:00:00.5", row[6]);
        Assert.Equal("2024-01-31T10:00:00Z", row[7]);
        Assert.Equal(new byte[] { 1, 2 }, row[8]);
        Assert.Equal("{1,2}", row[9]);
        Assert.Equal("P1D", row[10]);
        Assert.Null(row[11]);
    }

    [Fact]
    public async Task Row_cap_sets_truncated()
    {
        var outcome = Assert.IsType<QueryOutcome.Success>(await Run("select * from salary", new QueryLimits(5, TimeSpan.FromSeconds(10))));
        Assert.Equal(5, outcome.Rows.Count);
        Assert.True(outcome.Truncated);
        // The pooled session is still fine afterwards.
        Assert.IsType<QueryOutcome.Success>(await Run("select 1"));
    }

    [Fact]
    public async Task Statement_timeout_is_timed_out()
    {
        var outcome = await Run("select pg_sleep(5)", new QueryLimits(10, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Assert.IsType<QueryOutcome.TimedOut>(outcome).Limit);
    }

    [Fact]
    public async Task Cancellation_throws()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PostgresQueryRunner.RunAsync(pg.Server, PostgresFixture.Database, _role, Password, "select pg_sleep(5)", Limits, cts.Token));
        Assert.IsType<QueryOutcome.Success>(await Run("select 1"));
    }

    [Theory]
    [InlineData("select * from department", "department")]
    [InlineData("select * from dept_emp", "dept_emp")]
    [InlineData("select * from current_dept_emp", "current_dept_emp")]
    [InlineData("select e.* from employee e join dept_emp d using (emp_no)", "dept_emp")]
    [InlineData("with x as (select * from department) select * from x", "department")]
    [InlineData("select (select count(*) from department)", "department")]
    [InlineData("select * from public.department", "department")]
    public async Task Ungranted_tables_and_views_are_denied_by_name(string sql, string table)
    {
        var denied = Assert.IsType<QueryOutcome.Denied>(await Run(sql));
        Assert.Equal([new TableRef("public", table)], denied.Tables);
    }

    [Fact]
    public async Task A_schema_without_usage_is_denied_naming_the_table()
    {
        var denied = Assert.IsType<QueryOutcome.Denied>(await Run("select * from payroll.bonus"));
        Assert.Equal([new TableRef("payroll", "bonus")], denied.Tables);
    }

    [Theory]
    [InlineData("selec 1")]
    [InlineData("select * from no_such_table")]
    [InlineData("select no_such_column from salary")]
    [InlineData("select no_such_function()")]
    public async Task Bad_statements_are_invalid_with_the_server_message(string sql)
    {
        var invalid = Assert.IsType<QueryOutcome.Invalid>(await Run(sql));
        Assert.False(string.IsNullOrWhiteSpace(invalid.Message));
    }

    [Fact]
    public async Task Multiple_statements_are_refused_before_any_runs()
    {
        var invalid = Assert.IsType<QueryOutcome.Invalid>(await Run("select 1; delete from salary"));
        Assert.Contains("one statement", invalid.Message, StringComparison.Ordinal);
        Assert.IsType<QueryOutcome.Invalid>(await Run("  "));
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Attack_gets_the_expected_outcome(int index)
    {
        var attack = AdversarialCases.All[index];
        AdversarialCases.AssertOutcome(Engine.Postgres, attack, await RunAttack(attack));
    }

    private Task<QueryOutcome> RunAttack(AttackCase attack) =>
        Run(attack.Sql.Replace(AdversarialCases.OtherFile, "/tmp/jitgate-other.db", StringComparison.Ordinal), CorpusLimits);

    [Fact]
    public async Task Nothing_changes_after_every_attack()
    {
        const string Checksum =
            "select md5(string_agg(s::text, ',' order by emp_no, from_date)) || (select count(*) from department)::text"
            + " || (select count(*) from audit)::text from salary s";
        var before = await pg.ScalarAsSuperuserAsync<string>(Checksum);
        foreach (var attack in AdversarialCases.All.Where(a => a.RunsOn(Engine.Postgres)))
        {
            Assert.Null(AdversarialCases.Leak(await RunAttack(attack)));
        }

        Assert.Equal(before, await pg.ScalarAsSuperuserAsync<string>(Checksum));
        Assert.Equal(9488L, await pg.ScalarAsSuperuserAsync<long>("select count(*) from salary"));
        Assert.False(File.Exists(AdversarialCases.Outfile));
        Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>("select count(*) from pg_proc where proname = 'f'"));
        // The session settings did not leak: the role still cannot read department.
        Assert.IsType<QueryOutcome.Denied>(await Run("select * from department"));
    }
}
