using System.Collections.Immutable;

namespace JitGate.Engines.Tests;

/// <summary>The engines the adversarial corpus runs on.</summary>
public enum Engine
{
    Sqlite,
    Postgres,
    MySql,
}

/// <summary>
/// One attempt against a database with the grant employee, salary, title, and what each engine must
/// answer: <see cref="Outcome"/> unless <see cref="Overrides"/> says otherwise for that engine. A case
/// written in one engine's own SQL runs only there (<see cref="Only"/>).
/// </summary>
/// <param name="Sql">The statement.</param>
/// <param name="Outcome">The outcome type every engine gives unless overridden.</param>
/// <param name="Denied">Tables a denial must name (an engine that stops at its first refusal names one of them, or another ungranted table).</param>
public sealed record AttackCase(string Sql, Type Outcome, params string[] Denied)
{
    public ImmutableDictionary<Engine, Type> Overrides { get; init; } = ImmutableDictionary<Engine, Type>.Empty;

    public ImmutableHashSet<Engine>? Only { get; init; }

    /// <summary>The outcome type <paramref name="engine"/> must give.</summary>
    public Type OutcomeOn(Engine engine) => Overrides.TryGetValue(engine, out var type) ? type : Outcome;

    public bool RunsOn(Engine engine) => Only is null || Only.Contains(engine);

    /// <summary>The same case with another expected outcome on <paramref name="engine"/>.</summary>
    public AttackCase On(Engine engine, Type outcome) => this with { Overrides = Overrides.SetItem(engine, outcome) };

    /// <summary>The same case, run on these engines only (their own SQL).</summary>
    public AttackCase OnlyOn(params Engine[] engines) => this with { Only = [.. engines] };

    public override string ToString() => Sql;
}

/// <summary>
/// The statements every engine must answer safely under the grant employee, salary, title: one list for
/// SQLite, PostgreSQL and MySQL/MariaDB. Whatever the outcome type, nothing may leak (no value of an
/// ungranted table in an answer) and nothing may be written.
/// </summary>
internal static class AdversarialCases
{
    public const string OtherFile = "{other}";

    /// <summary>A file that a statement of the corpus tries to write; it must never exist.</summary>
    public const string Outfile = "/tmp/jitgate-outfile-must-not-exist";

    /// <summary>The SQLite grant (schema main).</summary>
    public static readonly ReadGrant Grant = GrantFor(Engine.Sqlite);

    /// <summary>The grant employee, salary, title in the engine's own schema name (main, public, the database).</summary>
    public static ReadGrant GrantFor(Engine engine)
    {
        var schema = engine switch { Engine.Sqlite => "main", Engine.Postgres => "public", _ => "hr_prod" };
        return ReadGrant.Tables([new TableRef(schema, "employee"), new TableRef(schema, "salary"), new TableRef(schema, "title")]);
    }

    /// <summary>Values only ungranted tables hold (department names and numbers) and a system file's first line: none may appear in an answer.</summary>
    public static readonly string[] Canaries =
    [
        "Marketing", "Finance", "Human Resources", "Production", "Development", "Quality Management", "Research", "Customer Service",
        "d001", "d002", "d003", "d004", "d005", "d006", "d007", "d008", "d009", "root:x:0:0",
    ];

    private static readonly Type Ok = typeof(QueryOutcome.Success);
    private static readonly Type Denied = typeof(QueryOutcome.Denied);
    private static readonly Type Write = typeof(QueryOutcome.ReadOnlyViolation);
    private static readonly Type Invalid = typeof(QueryOutcome.Invalid);
    private static readonly Type TimedOut = typeof(QueryOutcome.TimedOut);

    private const Engine Sqlite = Engine.Sqlite;
    private const Engine Pg = Engine.Postgres;
    private const Engine My = Engine.MySql;

    public static readonly AttackCase[] All =
    [
        // Reads of granted tables, in every shape.
        new("select * from employee limit 5", Ok),
        new("select e.first_name, s.amount, t.title from employee e join salary s on s.emp_no = e.emp_no join title t on t.emp_no = e.emp_no limit 20", Ok),
        new("with top as (select emp_no, max(amount) m from salary group by emp_no) select e.last_name, top.m from employee e join top using (emp_no) order by top.m desc limit 3", Ok),
        new("select * from employee where emp_no in (select emp_no from salary where amount > 100000)", Ok),
        new("select count(*) from salary", Ok),
        new("with recursive n(x) as (select 1 union all select x + 1 from n where x < 100) select sum(x) from n", Ok),
        new("select name, type, sql from sqlite_master", Ok) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select * from sqlite_schema", Ok) { Overrides = Map((Pg, Invalid), (My, Denied)) },
        new("pragma table_info(salary)", Ok) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select name from pragma_table_info('employee')", Ok) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select value from json_each('[1,2,3]')", Ok) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("-- leading comment\nselect 1; -- trailing comment\n/* and a block */ ;", Ok),
        new("select abs(-1), lower('X'), date('now'), length(randomblob(8))", Ok) { Overrides = Map((Pg, Invalid), (My, Write)) },

        // Ungranted tables and views, however they are reached.
        new("select * from department", Denied, "department"),
        // Virtual tables that read raw pages or storage statistics are not compiled into the bundled SQLite;
        // a build that had them would still need them granted, as any other table.
        new("select * from sqlite_dbpage", Invalid) { Overrides = Map((My, Denied)) },
        new("select * from dbstat", Invalid) { Overrides = Map((My, Denied)) },
        new("select value from json_each((select json_group_array(dept_name) from department))", Denied, "department") { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select * from pragma_table_info('department')", Ok) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select * from dept_emp", Denied, "dept_emp"),
        new("select * from current_dept_emp", Denied, "dept_emp", "current_dept_emp"),
        new("select count(*) from current_dept_emp", Denied, "dept_emp"),
        new("select * from dept_emp_latest_date", Denied, "dept_emp", "dept_emp_latest_date"),
        new("select e.first_name, d.dept_no from employee e join dept_emp d using (emp_no)", Denied, "dept_emp"),
        new("select * from employee where emp_no in (select emp_no from dept_manager)", Denied, "dept_manager"),
        new("with x as (select * from department) select * from x", Denied, "department"),
        new("with employee as (select * from department) select * from employee", Denied, "department"),
        new("select first_name from employee union select dept_name from department", Denied, "department"),
        new("select (select dept_name from department limit 1)", Denied, "department"),
        new("select * from employee where exists (select 1 from dept_emp where dept_emp.emp_no = employee.emp_no)", Denied, "dept_emp"),
        new("select 1 from employee where (select count(*) from dept_emp) > 0", Denied, "dept_emp"),
        new("select count(*) from department", Denied, "department"),
        new("select rowid from department", Denied, "department") { Overrides = Map((Pg, Invalid)) },
        new("select * from department, dept_emp, dept_manager, employee", Denied, "department", "dept_emp", "dept_manager"),
        new("explain select * from department", Denied, "department"),
        new("select * from main.department", Denied, "department") { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select * from DEPARTMENT", Denied, "department"),
        new("with c as (select * from department) select count(*) from c", Denied, "department"),
        new("with c as (select * from salary) select count(*) from c", Ok),
        new("select count(*) from (select dept_no from department group by dept_no)", Denied, "department") { Overrides = Map((Pg, Invalid), (My, Invalid)) },

        // Writes, schema changes and everything else a reader may not do.
        new("insert into salary values (1, 1, '2000-01-01', '2001-01-01')", Write),
        new("insert into salary select * from salary", Write),
        new("update salary set amount = 0", Write),
        new("delete from salary", Write),
        new("delete from department", Write),
        new("truncate salary", Write) { Overrides = Map((Sqlite, Invalid)) },
        new("with s as (select 1) delete from salary", Write) { Overrides = Map((My, Invalid)) },
        new("replace into salary values (10001, 1, '1986-06-26', '1987-06-26')", Write) { Overrides = Map((Pg, Invalid)) },
        new("create table x(a)", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("create temp table x(a)", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("create view v as select * from department", Write),
        new("create temp view v as select * from department", Write) { Overrides = Map((My, Invalid)) },
        new("create index i on salary(amount)", Write),
        new("create virtual table t using fts5(x)", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("drop table salary", Write),
        new("drop view current_dept_emp", Write),
        new("alter table salary add column y", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("attach database ':memory:' as m", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new($"attach database '{OtherFile}' as other", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("detach database main", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("pragma writable_schema = 1", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("pragma query_only = 0", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("pragma journal_mode = delete", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("pragma journal_mode", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("pragma user_version = 5", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("select load_extension('x')", Write) { Overrides = Map((Pg, Invalid)) },
        new("select * from employee where load_extension('x') is null", Write) { Overrides = Map((Pg, Invalid)) },
        // MySQL and MariaDB: BEGIN commits JitGate's transaction and opens another, without JitGate's savepoint.
        new("begin", Write) { Overrides = Map((Pg, Ok)) },
        new("commit", Write),
        new("rollback", Write),
        new("savepoint a", Write) { Overrides = Map((Pg, Ok), (My, Ok)) },
        // PostgreSQL skips, with a warning, every table the role does not own: it owns none.
        new("analyze", Write) { Overrides = Map((Pg, Ok), (My, Invalid)) },
        new("reindex", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },
        new("vacuum", Write) { Overrides = Map((My, Invalid)) },
        new("vacuum into '/tmp/jitgate-vacuum-into-must-not-exist.db'", Write) { Overrides = Map((Pg, Invalid), (My, Invalid)) },

        // More than one statement, or none that parses.
        new("select 1; delete from salary", Invalid),
        new("select * from employee; select * from salary", Invalid),
        new("select * from employee; select * from department", Invalid),
        new("select 1; select * from department", Invalid),
        new("select ';'; delete from salary -- ;", Invalid),
        new("selec * from employee", Invalid),
        new("select * from no_such_table", Invalid) { Overrides = Map((My, Denied)) },
        new("", Invalid),
        new("  -- only a comment", Invalid) { Overrides = Map((Pg, Ok), (My, Ok)) },

        // PostgreSQL's own ways around a grant.
        new AttackCase("SET ROLE postgres", Write).OnlyOn(Pg),
        new AttackCase("RESET ROLE", Ok).OnlyOn(Pg),
        new AttackCase("select set_config('role', 'postgres', false)", Write).OnlyOn(Pg),
        new AttackCase("COPY salary TO STDOUT", Write).OnlyOn(Pg),
        new AttackCase("COPY department TO STDOUT", Denied, "department").OnlyOn(Pg),
        new AttackCase($"COPY salary TO '{Outfile}'", Write).OnlyOn(Pg),
        new AttackCase("COPY salary FROM STDIN", Write).OnlyOn(Pg),
        new AttackCase("select query_to_xml('select * from department', true, true, '')", Denied, "department").OnlyOn(Pg),
        new AttackCase("CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'select count(*) from department'", Write).OnlyOn(Pg),
        new AttackCase("select pg_read_file('/etc/passwd')", Write).OnlyOn(Pg),
        new AttackCase("DO $$ BEGIN DELETE FROM salary; END $$", Write).OnlyOn(Pg),
        new AttackCase("CREATE TEMP TABLE t AS SELECT * FROM salary", Write).OnlyOn(Pg),
        new AttackCase("COMMIT; DELETE FROM salary", Invalid).OnlyOn(Pg, My),
        new AttackCase("SET TRANSACTION READ WRITE", Write).OnlyOn(Pg),
        new AttackCase("EXPLAIN ANALYZE DELETE FROM salary", Write).OnlyOn(Pg),
        new AttackCase("SELECT * FROM salary WHERE emp_no = 10001 FOR UPDATE", Write).OnlyOn(Pg),
        new AttackCase("SELECT * FROM pg_authid", Denied, "pg_authid").OnlyOn(Pg),
        new AttackCase("SELECT nextval('audit_id_seq')", Write).OnlyOn(Pg),
        new AttackCase("VACUUM salary", Write).OnlyOn(Pg),
        new AttackCase("LOCK TABLE salary", Write).OnlyOn(Pg),
        new AttackCase("select * from audit", Denied, "audit").OnlyOn(Pg),
        new AttackCase("select pg_terminate_backend(pid) from pg_stat_activity", Write).OnlyOn(Pg),
        new AttackCase("select lo_import('/etc/passwd')", Write).OnlyOn(Pg),
        new AttackCase("ALTER ROLE CURRENT_USER SET default_transaction_read_only = off", Write).OnlyOn(Pg),
        new AttackCase("select pg_sleep(5)", TimedOut).OnlyOn(Pg),
        new AttackCase("SET statement_timeout = 0", Ok).OnlyOn(Pg),

        // MySQL's and MariaDB's own ways around a grant.
        new AttackCase("select table_name from information_schema.tables where table_schema = 'hr_prod' order by 1", Ok).OnlyOn(My),
        new AttackCase("select column_name from information_schema.columns where table_name = 'department'", Ok).OnlyOn(My),
        new AttackCase("select * from information_schema.table_privileges", Ok).OnlyOn(My),
        new AttackCase("select * from information_schema.user_privileges", Ok).OnlyOn(My),
        new AttackCase("select * from information_schema.processlist", Ok).OnlyOn(My),
        new AttackCase("select * from performance_schema.threads", Invalid).OnlyOn(My),
        new AttackCase("select * from performance_schema.events_statements_history", Invalid).OnlyOn(My),
        new AttackCase("select * from mysql.user", Invalid).OnlyOn(My),
        new AttackCase("select * from mysql.global_priv", Invalid).OnlyOn(My),
        new AttackCase("select * from payroll.bonus", Invalid).OnlyOn(My),
        new AttackCase("select * from hr_test.department", Invalid).OnlyOn(My),
        new AttackCase("show tables", Ok).OnlyOn(My),
        new AttackCase("show databases", Ok).OnlyOn(My),
        new AttackCase("show grants", Ok).OnlyOn(My),
        new AttackCase("show processlist", Ok).OnlyOn(My),
        new AttackCase("show create table salary", Ok).OnlyOn(My),
        new AttackCase("show create table department", Denied, "department").OnlyOn(My),
        new AttackCase("show columns from department", Denied, "department").OnlyOn(My),
        new AttackCase("show index from dept_emp", Denied, "dept_emp").OnlyOn(My),
        new AttackCase("show create view current_dept_emp", Denied, "current_dept_emp").OnlyOn(My),
        new AttackCase("show table status", Ok).OnlyOn(My),
        new AttackCase("select hr_prod.department_count()", Write).OnlyOn(My),
        new AttackCase("call purge_salary()", Write).OnlyOn(My),
        new AttackCase("select load_file('/etc/passwd')", Ok).OnlyOn(My),
        new AttackCase($"select * from salary into outfile '{Outfile}'", Write).OnlyOn(My),
        new AttackCase($"select amount from salary limit 1 into dumpfile '{Outfile}'", Write).OnlyOn(My),
        new AttackCase("load data infile '/etc/passwd' into table salary", Write).OnlyOn(My),
        new AttackCase("handler salary open", Ok).OnlyOn(My),
        new AttackCase("handler department open", Denied, "department").OnlyOn(My),
        new AttackCase("lock tables salary read", Write).OnlyOn(My),
        new AttackCase("lock tables department read", Write).OnlyOn(My),
        new AttackCase("flush tables", Write).OnlyOn(My),
        new AttackCase("set global read_only = 0", Write).OnlyOn(My),
        new AttackCase("set session transaction read write", Ok).OnlyOn(My),
        new AttackCase("set tx_read_only = 0", Ok).OnlyOn(My),
        new AttackCase("set session sql_log_bin = 0", Write).OnlyOn(My),
        new AttackCase("set session max_statement_time = 0", Ok).OnlyOn(My),
        new AttackCase("start transaction read write", Write).OnlyOn(My),
        new AttackCase("create temporary table t (a int)", Write).OnlyOn(My),
        new AttackCase("create user jit_intruder", Write).OnlyOn(My),
        new AttackCase("grant select on hr_prod.* to current_user()", Write).OnlyOn(My),
        new AttackCase("alter user current_user() account unlock", Write).OnlyOn(My),
        new AttackCase("prepare s from 'delete from salary'", Invalid).OnlyOn(My),
        new AttackCase("execute immediate 'delete from salary'", Invalid).OnlyOn(My),
        new AttackCase("kill 1", Invalid).OnlyOn(My),
        new AttackCase("use hr_test", Invalid).OnlyOn(My),
        new AttackCase("select get_lock('x', 0)", Ok).OnlyOn(My),
        new AttackCase("select * from salary where emp_no = 10001 for update", Write).OnlyOn(My),
        new AttackCase("do sleep(0)", Ok).OnlyOn(My),
        new AttackCase("select sleep(5)", TimedOut).OnlyOn(My),
        new AttackCase("set statement max_statement_time=0 for select sleep(5)", TimedOut).OnlyOn(My),
        new AttackCase("select count(*) from salary a, salary b, salary c", TimedOut).OnlyOn(My),
        // User variables carry values between statements of a session, never privileges.
        new AttackCase("set @d = (select dept_name from department limit 1)", Denied, "department").OnlyOn(My),
        new AttackCase("select @d := dept_name from department", Denied, "department").OnlyOn(My),
        new AttackCase("select dept_name from department limit 1 into @d", Denied, "department").OnlyOn(My),
        new AttackCase("select amount from salary limit 1 into @s", Ok).OnlyOn(My),
        new AttackCase("select @d, @jitgate_statement, @@global.read_only", Ok).OnlyOn(My),
        new AttackCase("do (select count(*) from department)", Denied, "department").OnlyOn(My),
        new AttackCase("values ((select dept_name from department limit 1))", Denied, "department").OnlyOn(My),
        new AttackCase("select benchmark(100000000000, md5('x'))", TimedOut).OnlyOn(My),
        new AttackCase("select * from employee where emp_no = 10001 and sleep(5) = 0", TimedOut).OnlyOn(My),
        new AttackCase("select json_arrayagg(dept_name) from department", Denied, "department").OnlyOn(My),
        new AttackCase("select * from employee e where exists (select 1 from dept_emp d where d.emp_no = e.emp_no) lock in share mode", Denied, "dept_emp").OnlyOn(My),
        new AttackCase("explain format=json select * from department", Denied, "department").OnlyOn(My),
        new AttackCase("analyze select * from department", Denied, "department").OnlyOn(My),
        new AttackCase("select * from information_schema.columns where table_schema = 'payroll'", Ok).OnlyOn(My),
        new AttackCase("select * from information_schema.routines", Ok).OnlyOn(My),
        new AttackCase("select * from information_schema.views where table_name = 'current_dept_emp'", Ok).OnlyOn(My),
        new AttackCase("select * from sys.sys_config", Invalid).OnlyOn(My),
        new AttackCase("select * from mysql.proc", Invalid).OnlyOn(My),
        new AttackCase("show function status", Ok).OnlyOn(My),
        new AttackCase("show create function department_count", Invalid).OnlyOn(My),
        new AttackCase("show grants for root@localhost", Invalid).OnlyOn(My),
        new AttackCase("xa start 'x'", Invalid).OnlyOn(My),
        new AttackCase("set password = password('mine')", Write).OnlyOn(My),
        new AttackCase("install soname 'ha_connect'", Write).OnlyOn(My),
        new AttackCase("create or replace table salary (a int)", Write).OnlyOn(My),
        new AttackCase("rename table salary to s2", Write).OnlyOn(My),
        new AttackCase("select 1 /*!; delete from salary */", Invalid).OnlyOn(My),
        new AttackCase("/*!40101 select * from department */", Denied, "department").OnlyOn(My),
    ];

    /// <summary>The cases that run on <paramref name="engine"/>, by index into <see cref="All"/>.</summary>
    public static TheoryData<int> IndexesFor(Engine engine)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < All.Length; i++)
        {
            if (All[i].RunsOn(engine))
            {
                data.Add(i);
            }
        }

        return data;
    }

    /// <summary>
    /// Asserts that <paramref name="outcome"/> is what <paramref name="attack"/> expects on
    /// <paramref name="engine"/>: its outcome type; for a denial, only ungranted tables named (and, for an
    /// engine that names every refusal, every expected one); no canary value in an answer.
    /// </summary>
    public static void AssertOutcome(Engine engine, AttackCase attack, QueryOutcome outcome)
    {
        var expected = attack.OutcomeOn(engine);
        Assert.True(expected == outcome.GetType(), $"{engine}: {attack.Sql}\nexpected {expected.Name}, got {outcome}");
        Assert.Null(Leak(outcome));
        switch (outcome)
        {
            case QueryOutcome.Denied denied:
                var named = denied.Tables.Select(t => t.Name).ToList();
                Assert.True(named.Count > 0, $"{engine}: {attack.Sql}\nthe denial names no table");
                Assert.True(!named.Intersect(["employee", "salary", "title"], StringComparer.OrdinalIgnoreCase).Any(),
                    $"{engine}: {attack.Sql}\na granted table is named as denied: {string.Join(", ", named)}");
                Assert.Equal(named.Count, named.Distinct(StringComparer.OrdinalIgnoreCase).Count());
                if (engine == Engine.Sqlite)
                {
                    Assert.True(attack.Denied.All(t => named.Contains(t, StringComparer.OrdinalIgnoreCase)),
                        $"{attack.Sql}\nexpected {string.Join(", ", attack.Denied)} among {string.Join(", ", named)}");
                }

                break;
            case QueryOutcome.ReadOnlyViolation v:
                Assert.False(string.IsNullOrWhiteSpace(v.Message));
                break;
            case QueryOutcome.Invalid i:
                Assert.False(string.IsNullOrWhiteSpace(i.Message));
                break;
        }
    }

    /// <summary>The canary an answer carries, or null: what only an ungranted table (or a system file) holds must never come back.</summary>
    public static string? Leak(QueryOutcome outcome) =>
        outcome is not QueryOutcome.Success success
            ? null
            : success.Rows.SelectMany(r => r).OfType<string>().SelectMany(v => Canaries.Where(c => v.Contains(c, StringComparison.Ordinal))).FirstOrDefault();

    private static ImmutableDictionary<Engine, Type> Map(params (Engine Engine, Type Outcome)[] overrides) =>
        overrides.ToImmutableDictionary(o => o.Engine, o => o.Outcome);
}
