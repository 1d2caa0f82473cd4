namespace JitGate.Engines.Tests;

/// <summary>A statement in SQL that every engine takes, and what must come of it under the grant employee, salary, title.</summary>
/// <param name="Sql">The statement.</param>
/// <param name="Allowed">True when it reads only granted tables and must succeed.</param>
/// <param name="Denied">Tables that must be named in the denial (others may be named too).</param>
public sealed record JoinCase(string Sql, bool Allowed, params string[] Denied)
{
    public override string ToString() => Sql;
}

/// <summary>
/// Every join form, and reads whose only trace is an aggregate or a join condition, run on every engine
/// with the same grant as <see cref="AdversarialCases.Grant"/>. A column compared by <c>USING</c> or
/// <c>NATURAL</c> is a read like any other: SQLite's authorizer is never told of it, so these cases are
/// what keeps the storage check honest.
/// </summary>
internal static class JoinFormCases
{
    public static readonly JoinCase[] All =
    [
        // Granted tables, every form: must work.
        new("select count(*) from employee join salary using (emp_no)", true),
        new("select count(*) from employee natural join salary", true),
        new("select count(*) from employee inner join salary on salary.emp_no = employee.emp_no", true),
        new("select count(*) from employee left join title using (emp_no)", true),
        new("select count(*) from employee cross join title", true),
        new("select count(*) from employee, salary where employee.emp_no = salary.emp_no", true),
        new("select count(*) from salary s1 join salary s2 using (emp_no, from_date)", true),
        new("select count(*) from salary natural join title", true),
        new("select count(*) from (select emp_no from employee join title using (emp_no)) j", true),
        new("with j as (select emp_no from employee join salary using (emp_no)) select count(*) from j", true),

        // The ungranted table on the right of USING or NATURAL: the authorizer hears nothing of it.
        new("select count(*) from employee join dept_emp using (emp_no)", false, "dept_emp"),
        new("select count(*) from employee inner join dept_manager using (emp_no)", false, "dept_manager"),
        new("select count(*) from employee natural join dept_emp", false, "dept_emp"),
        new("select count(*) from employee left join dept_emp using (emp_no)", false, "dept_emp"),
        new("select count(*) from employee left outer join dept_manager using (emp_no)", false, "dept_manager"),
        new("select count(*) from employee right join dept_emp using (emp_no)", false, "dept_emp"),
        new("select count(*) from employee full join dept_emp using (emp_no)", false, "dept_emp"),
        new("select emp_no from employee join dept_emp using (emp_no) limit 1", false, "dept_emp"),
        new("select employee.first_name from employee join dept_emp using (emp_no) limit 1", false, "dept_emp"),
        // ... on the left.
        new("select count(*) from dept_emp join employee using (emp_no)", false, "dept_emp"),
        new("select count(*) from dept_emp natural join salary", false, "dept_emp"),
        // ... joined to itself, and both sides ungranted.
        new("select count(*) from department a join department b using (dept_no)", false, "department"),
        new("select count(*) from dept_emp natural join dept_manager", false, "dept_emp", "dept_manager"),
        new("select count(*) from department d join dept_emp using (dept_no) join employee using (emp_no)", false, "department", "dept_emp"),
        // ... in sub-queries, CTEs, EXISTS, IN, set operations and views.
        new("select (select count(*) from employee join dept_emp using (emp_no))", false, "dept_emp"),
        new("select count(*) from (select emp_no from employee join dept_emp using (emp_no)) j", false, "dept_emp"),
        new("with j as (select emp_no from employee join dept_emp using (emp_no)) select count(*) from j", false, "dept_emp"),
        new("with j as (select * from employee natural join dept_manager) select count(*) from j", false, "dept_manager"),
        new("select count(*) from employee where exists (select 1 from employee e2 join dept_emp using (emp_no))", false, "dept_emp"),
        new("select count(*) from employee where emp_no in (select emp_no from employee join dept_manager using (emp_no))", false, "dept_manager"),
        new("select count(*) from salary union all select count(*) from employee join dept_emp using (emp_no)", false, "dept_emp"),
        new("select count(*) from employee join current_dept_emp using (emp_no)", false, "dept_emp"),
        new("select count(*) from employee natural join dept_emp_latest_date", false, "dept_emp"),
        // Aggregate-only and existence-only reads.
        new("select count(*) from employee cross join department", false, "department"),
        new("select count(*) from employee, dept_emp", false, "dept_emp"),
        new("select count(*) from employee join dept_emp on 1 = 1", false, "dept_emp"),
        new("select count(1) from department", false, "department"),
        new("select max(1) from dept_emp", false, "dept_emp"),
        new("select 1 from department limit 1", false, "department"),
        new("select exists (select 1 from department)", false, "department"),
        new("select count(*) from employee where emp_no in (select emp_no from dept_emp)", false, "dept_emp"),
    ];

    public static TheoryData<int> Indexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < All.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static readonly string[] Granted = ["employee", "salary", "title"];

    /// <summary>
    /// Asserts that <paramref name="outcome"/> is what <paramref name="join"/> expects. An engine that stops
    /// at its first refusal (PostgreSQL, MySQL) names one table, which must be one that is not granted (a
    /// view the statement names counts); one that names every refusal (SQLite) must name the expected ones.
    /// </summary>
    public static void AssertOutcome(JoinCase join, QueryOutcome outcome, bool namesEvery = true)
    {
        if (join.Allowed)
        {
            Assert.True(outcome is QueryOutcome.Success, $"{join.Sql}\nexpected success, got {outcome}");
            return;
        }

        var denied = Assert.IsType<QueryOutcome.Denied>(outcome);
        var named = denied.Tables.Select(t => t.Name).ToList();
        Assert.True(named.Count > 0, $"{join.Sql}\nthe denial names no table");
        Assert.True(!named.Intersect(Granted, StringComparer.OrdinalIgnoreCase).Any(), $"{join.Sql}\na granted table is named as denied: {string.Join(", ", named)}");
        if (namesEvery)
        {
            Assert.True(
                join.Denied.All(t => named.Contains(t, StringComparer.OrdinalIgnoreCase)),
                $"{join.Sql}\nexpected {string.Join(", ", join.Denied)} among {string.Join(", ", named)}");
        }
    }
}
