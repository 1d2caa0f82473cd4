using System.Diagnostics;
using JitGate.Engines.Sqlite;

namespace JitGate.Engines.Tests;

public sealed class SqliteQueryRunnerTests(SampleDatabasesFixture databases) : IClassFixture<SampleDatabasesFixture>
{
    private static readonly QueryLimits Limits = new(1000, TimeSpan.FromSeconds(10));

    public static TheoryData<string, int> Attacks()
    {
        var data = new TheoryData<string, int>();
        foreach (var database in new[] { "generated", "shared" })
        {
            for (var i = 0; i < AdversarialCases.All.Length; i++)
            {
                if (AdversarialCases.All[i].RunsOn(Engine.Sqlite))
                {
                    data.Add(database, i);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Adversarial_statement_gets_the_expected_outcome(string database, int index)
    {
        var attack = AdversarialCases.All[index];
        var outcome = RunAttack(databases.PathOf(database), attack, databases.Folder);

        AdversarialCases.AssertOutcome(Engine.Sqlite, attack, outcome);
        if (outcome is QueryOutcome.Denied denied)
        {
            Assert.All(denied.Tables, t => Assert.Equal("main", t.Schema));
        }
    }

    public static TheoryData<string, int> JoinForms()
    {
        var data = new TheoryData<string, int>();
        foreach (var database in new[] { "generated", "shared" })
        {
            for (var i = 0; i < JoinFormCases.All.Length; i++)
            {
                data.Add(database, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(JoinForms))]
    public void Every_join_form_reads_only_granted_tables(string database, int index)
    {
        var join = JoinFormCases.All[index];
        JoinFormCases.AssertOutcome(join, Run(databases.PathOf(database), join.Sql));
    }

    [Fact]
    public void Tables_read_only_through_a_join_condition_are_listed_as_read()
    {
        var success = Assert.IsType<QueryOutcome.Success>(Run(databases.Generated, "select count(*) from employee join salary using (emp_no)"));

        Assert.Equal(["employee", "salary"], success.TablesRead.Select(t => t.Name).Order());
    }

    [Fact]
    public void A_granted_view_still_reads_what_it_is_built_on_but_a_join_beside_it_does_not()
    {
        var grant = ReadGrant.Tables([new TableRef("main", "employee"), new TableRef("main", "dept_emp_latest_date")]);

        Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select count(*) from dept_emp_latest_date", Limits, CancellationToken.None));
        Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select count(*) from employee e join dept_emp_latest_date l on l.emp_no = e.emp_no", Limits, CancellationToken.None));
        var denied = Assert.IsType<QueryOutcome.Denied>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select count(*) from employee join dept_emp using (emp_no)", Limits, CancellationToken.None));
        Assert.Equal(["dept_emp"], denied.Tables.Select(t => t.Name));
    }

    [Fact]
    public void An_answer_stops_at_its_byte_cap_and_says_so()
    {
        var outcome = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(databases.Generated, ReadGrant.Everything,
            "select first_name, randomblob(1000000) from employee limit 1000", new QueryLimits(1000, TimeSpan.FromSeconds(30)), CancellationToken.None));

        Assert.True(outcome.Truncated);
        Assert.Equal("bytes", outcome.TruncatedBy);
        var bytes = outcome.Rows.Sum(r => ((byte[])r[1]!).Length);
        Assert.InRange(outcome.Rows.Count, 5, 13);
        Assert.True(bytes * 4 / 3 <= QueryLimits.DefaultMaxBytes, $"{bytes} bytes of binary is more than the cap as base64");

        var rows = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(databases.Generated, ReadGrant.Everything,
            "select first_name from employee", new QueryLimits(10, TimeSpan.FromSeconds(30)), CancellationToken.None));
        Assert.Equal("rows", rows.TruncatedBy);
        var whole = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(databases.Generated, ReadGrant.Everything,
            "select first_name from employee limit 3", new QueryLimits(10, TimeSpan.FromSeconds(30)), CancellationToken.None));
        Assert.Null(whole.TruncatedBy);
        Assert.False(whole.Truncated);
    }

    [Theory]
    [InlineData("select randomblob(20000000)")]
    [InlineData("select zeroblob(20000000)")]
    [InlineData("select length(randomblob(1000000000))")]
    [InlineData("with recursive s(x) as (select 'x' union all select x || x from s where length(x) < 100000000) select length(max(x)) from s")]
    public void No_single_value_larger_than_the_cap_is_ever_built(string sql)
    {
        var outcome = SqliteQueryRunner.Run(databases.Generated, ReadGrant.Everything, sql,
            new QueryLimits(10, TimeSpan.FromSeconds(30), MaxBytes: 1024 * 1024), CancellationToken.None);

        var invalid = Assert.IsType<QueryOutcome.Invalid>(outcome);
        Assert.Contains("too big", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_virtual_table_joined_by_using_needs_its_own_grant()
    {
        var folder = TestDatabases.NewFolder();
        try
        {
            var path = Path.Combine(folder, "fts.db");
            using (var setup = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
            {
                setup.Open();
                using var create = setup.CreateCommand();
                create.CommandText = """
                    create table employee(emp_no integer primary key, first_name text);
                    insert into employee values (1, 'a'), (2, 'b');
                    create virtual table notes using fts5(emp_no, body);
                    insert into notes values (1, 'secret one'), (2, 'secret two');
                    """;
                create.ExecuteNonQuery();
            }

            var grant = ReadGrant.Tables([new TableRef("main", "employee")]);
            foreach (var sql in new[]
            {
                "select count(*) from employee join notes using (emp_no)",
                "select count(*) from employee natural join notes",
                "select count(*) from notes",
                "select body from notes where notes match 'secret'",
            })
            {
                var outcome = SqliteQueryRunner.Run(path, grant, sql, Limits, CancellationToken.None);
                Assert.True(outcome is QueryOutcome.Denied or QueryOutcome.ReadOnlyViolation, $"{sql}\n{outcome}");
            }

            Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(path, grant, "select count(*) from employee e1 join employee e2 using (emp_no)", Limits, CancellationToken.None));
            Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(path, grant, "select value from json_each('[1,2]') join employee on emp_no = value", Limits, CancellationToken.None));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_database_files_are_unchanged_after_every_attack()
    {
        var folder = TestDatabases.NewFolder();
        try
        {
            var paths = new[] { TestDatabases.Generate(folder), TestDatabases.CopySharedSample(folder) };
            var before = paths.Select(TestDatabases.Sha256).ToList();

            foreach (var path in paths)
            {
                foreach (var attack in AdversarialCases.All.Where(a => a.RunsOn(Engine.Sqlite)))
                {
                    Assert.Null(AdversarialCases.Leak(RunAttack(path, attack, folder)));
                }
            }

            Assert.Equal(before, paths.Select(TestDatabases.Sha256));
            Assert.Equal(
                ["generated.db", "other.db", "shared-employee.db"],
                Directory.GetFiles(folder).Select(Path.GetFileName).Order());
            Assert.False(File.Exists("/tmp/jitgate-vacuum-into-must-not-exist.db"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Denied_names_every_ungranted_table_in_first_seen_order()
    {
        var outcome = Run(databases.Generated, "select * from department d, dept_emp de, employee e, dept_manager dm, department d2");

        var denied = Assert.IsType<QueryOutcome.Denied>(outcome);
        Assert.Equal(
            [new("main", "department"), new("main", "dept_emp"), new("main", "dept_manager")],
            denied.Tables);
    }

    [Fact]
    public void Counting_rows_needs_a_grant()
    {
        var outcome = SqliteQueryRunner.Run(
            databases.Generated, ReadGrant.Nothing, "select count(*) from salary", Limits, CancellationToken.None);

        var denied = Assert.IsType<QueryOutcome.Denied>(outcome);
        Assert.Equal([new TableRef("main", "salary")], denied.Tables);
    }

    [Fact]
    public void Success_returns_typed_values_columns_and_tables_read()
    {
        var outcome = Run(databases.Generated, "select 1 as i, 1.5 as d, 'x' as s, x'00ff' as b, null as n");
        var success = Assert.IsType<QueryOutcome.Success>(outcome);
        Assert.Equal(["i", "d", "s", "b", "n"], success.Columns.Select(c => c.Name));
        var row = Assert.Single(success.Rows);
        Assert.Equal(1L, row[0]);
        Assert.Equal(1.5, row[1]);
        Assert.Equal("x", row[2]);
        Assert.Equal(new byte[] { 0, 0xff }, row[3]);
        Assert.Null(row[4]);
        Assert.False(success.Truncated);
        Assert.Empty(success.TablesRead);

        var join = Assert.IsType<QueryOutcome.Success>(Run(
            databases.Generated,
            "select e.emp_no, s.amount from employee e join salary s using (emp_no) where e.emp_no = 10001 order by s.from_date"));
        Assert.Equal([new("emp_no", "INTEGER"), new("amount", "INTEGER")], join.Columns);
        Assert.Equal([new("main", "employee"), new("main", "salary")], join.TablesRead);
        Assert.NotEmpty(join.Rows);
        Assert.All(join.Rows, r => Assert.IsType<long>(r[1]));
    }

    [Fact]
    public void Row_cap_truncates_only_when_more_rows_exist()
    {
        var capped = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(
            databases.Shared, AdversarialCases.Grant, "select * from salary", new QueryLimits(10, TimeSpan.FromSeconds(5)), CancellationToken.None));
        Assert.Equal(10, capped.Rows.Count);
        Assert.True(capped.Truncated);

        var exact = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(
            databases.Shared, AdversarialCases.Grant, "select * from salary limit 10", new QueryLimits(10, TimeSpan.FromSeconds(5)), CancellationToken.None));
        Assert.Equal(10, exact.Rows.Count);
        Assert.False(exact.Truncated);
    }

    [Fact]
    public void A_runaway_query_times_out()
    {
        var limit = TimeSpan.FromMilliseconds(200);
        var clock = Stopwatch.StartNew();

        var outcome = SqliteQueryRunner.Run(
            databases.Generated, AdversarialCases.Grant,
            "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
            new QueryLimits(10, limit), CancellationToken.None);

        Assert.Equal(new QueryOutcome.TimedOut(limit), outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Cancelling_the_token_interrupts_the_query()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        Assert.Throws<OperationCanceledException>(() => SqliteQueryRunner.Run(
            databases.Generated, AdversarialCases.Grant,
            "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
            new QueryLimits(10, TimeSpan.FromSeconds(30)), cancellation.Token));
    }

    [Fact]
    public void A_granted_view_runs_with_its_definers_rights()
    {
        var grant = ReadGrant.Tables([new("main", "current_dept_emp"), new("main", "dept_emp_latest_date")]);

        var rows = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select * from current_dept_emp order by emp_no", Limits, CancellationToken.None));
        Assert.Equal(1000, rows.Rows.Count);
        Assert.Contains(new TableRef("main", "dept_emp"), rows.TablesRead);

        var count = Assert.IsType<QueryOutcome.Success>(SqliteQueryRunner.Run(
            databases.Shared, grant, "select count(*) from dept_emp_latest_date", Limits, CancellationToken.None));
        Assert.Equal(1000L, count.Rows[0][0]);

        // Reading the underlying table directly is still not granted.
        var direct = Assert.IsType<QueryOutcome.Denied>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select * from dept_emp", Limits, CancellationToken.None));
        Assert.Equal([new TableRef("main", "dept_emp")], direct.Tables);
    }

    [Fact]
    public void A_view_nested_in_a_granted_view_needs_its_own_grant()
    {
        var grant = ReadGrant.Tables([new("main", "current_dept_emp")]);

        var outcome = SqliteQueryRunner.Run(
            databases.Generated, grant, "select * from current_dept_emp", Limits, CancellationToken.None);

        var denied = Assert.IsType<QueryOutcome.Denied>(outcome);
        Assert.Equal([new TableRef("main", "dept_emp")], denied.Tables);
    }

    [Theory]
    [InlineData("with current_dept_emp as (select dept_no as emp_no, dept_name as dept_no, 1, 2 from department) select * from current_dept_emp")]
    [InlineData("select * from current_dept_emp c, (with dept_emp_latest_date as (select dept_name from department) select * from dept_emp_latest_date) limit 1")]
    [InlineData("WITH \"Current_Dept_Emp\" AS (SELECT * FROM department) SELECT * FROM \"Current_Dept_Emp\"")]
    public void A_cte_named_like_a_granted_view_does_not_borrow_its_rights(string sql)
    {
        var grant = ReadGrant.Tables([new("main", "current_dept_emp"), new("main", "dept_emp_latest_date")]);

        var outcome = SqliteQueryRunner.Run(databases.Generated, grant, sql, Limits, CancellationToken.None);

        var denied = Assert.IsType<QueryOutcome.Denied>(outcome);
        Assert.Contains(new TableRef("main", "department"), denied.Tables);
    }

    [Fact]
    public void A_view_that_is_not_granted_is_denied_by_name_even_when_its_tables_are_granted()
    {
        var grant = ReadGrant.Tables([new("main", "dept_emp")]);

        var named = Assert.IsType<QueryOutcome.Denied>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select * from dept_emp_latest_date", Limits, CancellationToken.None));
        Assert.Equal([new TableRef("main", "dept_emp_latest_date")], named.Tables);

        // The view cannot be flattened, so SQLite reports it as read even when no column is used.
        var counted = Assert.IsType<QueryOutcome.Denied>(SqliteQueryRunner.Run(
            databases.Generated, grant, "select count(*) from dept_emp_latest_date", Limits, CancellationToken.None));
        Assert.Equal([new TableRef("main", "dept_emp_latest_date")], counted.Tables);
    }

    [Fact]
    public void Everything_grant_reads_every_table_but_still_cannot_write()
    {
        var read = SqliteQueryRunner.Run(
            databases.Shared, ReadGrant.Everything, "select count(*) from current_dept_emp join department using (dept_no)", Limits, CancellationToken.None);
        Assert.IsType<QueryOutcome.Success>(read);

        var write = SqliteQueryRunner.Run(
            databases.Shared, ReadGrant.Everything, "delete from department", Limits, CancellationToken.None);
        var violation = Assert.IsType<QueryOutcome.ReadOnlyViolation>(write);
        Assert.Contains("DELETE", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("insert into salary values (1, 1, '2000-01-01', '2001-01-01')", "INSERT is not allowed")]
    [InlineData("attach database ':memory:' as m", "ATTACH is not allowed")]
    [InlineData("pragma journal_mode = delete", "PRAGMA journal_mode = delete is not allowed")]
    [InlineData("select load_extension('x')", "load_extension() is not allowed")]
    [InlineData("begin", "BEGIN is not allowed")]
    public void Violations_say_what_was_refused(string sql, string expected)
    {
        var violation = Assert.IsType<QueryOutcome.ReadOnlyViolation>(Run(databases.Generated, sql));

        Assert.Contains(expected, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_statements_carry_the_engines_message()
    {
        var many = Assert.IsType<QueryOutcome.Invalid>(Run(databases.Generated, "select 1; delete from salary"));
        Assert.Contains("one statement", many.Message, StringComparison.Ordinal);

        var missing = Assert.IsType<QueryOutcome.Invalid>(Run(databases.Generated, "select * from no_such_table"));
        Assert.Contains("no such table", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_database_is_a_clear_error()
    {
        var missing = Path.Combine(databases.Folder, "missing.db");

        Assert.Throws<SqliteEngineException>(() => Run(missing, "select 1"));
        Assert.False(File.Exists(missing));
    }

    private static QueryOutcome Run(string path, string sql) =>
        SqliteQueryRunner.Run(path, AdversarialCases.Grant, sql, Limits, CancellationToken.None);

    private static QueryOutcome RunAttack(string path, AttackCase attack, string folder)
    {
        var other = Path.Combine(folder, "other.db");
        if (!File.Exists(other))
        {
            SampleDatabaseGenerator.Create(other, 5);
        }

        return Run(path, attack.Sql.Replace(AdversarialCases.OtherFile, other, StringComparison.Ordinal));
    }
}
