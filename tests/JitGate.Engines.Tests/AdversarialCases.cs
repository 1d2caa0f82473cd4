namespace JitGate.Engines.Tests;

/// <summary>One attempt against a database with the grant employee, salary, title.</summary>
public sealed record AttackCase(string Sql, Type Outcome, params string[] Denied);

/// <summary>The statements every SQLite database must answer safely under the grant employee, salary, title.</summary>
internal static class AdversarialCases
{
    public const string OtherFile = "{other}";

    public static readonly ReadGrant Grant = ReadGrant.Tables(
        [new TableRef("main", "employee"), new TableRef("main", "salary"), new TableRef("main", "title")]);

    private static readonly Type Ok = typeof(QueryOutcome.Success);
    private static readonly Type Denied = typeof(QueryOutcome.Denied);
    private static readonly Type Write = typeof(QueryOutcome.ReadOnlyViolation);
    private static readonly Type Invalid = typeof(QueryOutcome.Invalid);

    public static readonly AttackCase[] All =
    [
        new("select * from employee limit 5", Ok),
        new("select e.first_name, s.amount, t.title from employee e join salary s on s.emp_no = e.emp_no join title t on t.emp_no = e.emp_no limit 20", Ok),
        new("with top as (select emp_no, max(amount) m from salary group by emp_no) select e.last_name, top.m from employee e join top using (emp_no) order by top.m desc limit 3", Ok),
        new("select * from employee where emp_no in (select emp_no from salary where amount > 100000)", Ok),
        new("select count(*) from salary", Ok),
        new("with recursive n(x) as (select 1 union all select x + 1 from n where x < 100) select sum(x) from n", Ok),
        new("select name, type, sql from sqlite_master", Ok),
        new("select * from sqlite_schema", Ok),
        new("pragma table_info(salary)", Ok),
        new("select name from pragma_table_info('employee')", Ok),
        new("select value from json_each('[1,2,3]')", Ok),
        new("-- leading comment\nselect 1; -- trailing comment\n/* and a block */ ;", Ok),
        new("select abs(-1), lower('X'), date('now'), length(randomblob(8))", Ok),

        new("select * from department", Denied, "department"),
        // Virtual tables that read raw pages or storage statistics are not compiled into the bundled SQLite;
        // a build that had them would still need them granted, as any other table.
        new("select * from sqlite_dbpage", Invalid),
        new("select * from dbstat", Invalid),
        new("select value from json_each((select json_group_array(dept_name) from department))", Denied, "department"),
        new("select * from pragma_table_info('department')", Ok),
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
        new("select rowid from department", Denied, "department"),
        new("select * from department, dept_emp, dept_manager, employee", Denied, "department", "dept_emp", "dept_manager"),
        new("explain select * from department", Denied, "department"),
        new("select * from main.department", Denied, "department"),
        new("select * from DEPARTMENT", Denied, "department"),
        new("with c as (select * from department) select count(*) from c", Denied, "department"),
        new("with c as (select * from salary) select count(*) from c", Ok),
        new("select count(*) from (select dept_no from department group by dept_no)", Denied, "department"),

        new("insert into salary values (1, 1, '2000-01-01', '2001-01-01')", Write),
        new("insert into salary select * from salary", Write),
        new("update salary set amount = 0", Write),
        new("delete from salary", Write),
        new("with s as (select 1) delete from salary", Write),
        new("replace into salary values (10001, 1, '1986-06-26', '1987-06-26')", Write),
        new("create table x(a)", Write),
        new("create temp table x(a)", Write),
        new("create view v as select * from department", Write),
        new("create temp view v as select * from department", Write),
        new("create index i on salary(amount)", Write),
        new("create virtual table t using fts5(x)", Write),
        new("drop table salary", Write),
        new("drop view current_dept_emp", Write),
        new("alter table salary add column y", Write),
        new("attach database ':memory:' as m", Write),
        new($"attach database '{OtherFile}' as other", Write),
        new("detach database main", Write),
        new("pragma writable_schema = 1", Write),
        new("pragma query_only = 0", Write),
        new("pragma journal_mode = delete", Write),
        new("pragma journal_mode", Write),
        new("pragma user_version = 5", Write),
        new("select load_extension('x')", Write),
        new("select * from employee where load_extension('x') is null", Write),
        new("begin", Write),
        new("commit", Write),
        new("rollback", Write),
        new("savepoint a", Write),
        new("analyze", Write),
        new("reindex", Write),
        new("vacuum", Write),
        new("vacuum into '/tmp/jitgate-vacuum-into-must-not-exist.db'", Write),

        new("select 1; delete from salary", Invalid),
        new("select * from employee; select * from salary", Invalid),
        new("select * from employee; select * from department", Invalid),
        new("selec * from employee", Invalid),
        new("select * from no_such_table", Invalid),
        new("", Invalid),
        new("  -- only a comment", Invalid),
    ];
}
