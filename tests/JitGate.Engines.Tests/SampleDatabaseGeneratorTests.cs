using System.Diagnostics;
using JitGate.Engines.Sqlite;

namespace JitGate.Engines.Tests;

public sealed class SampleDatabaseGeneratorTests : IDisposable
{
    private static readonly string[] Tables = ["employee", "department", "dept_emp", "dept_manager", "title", "salary"];
    private static readonly string[] Views = ["dept_emp_latest_date", "current_dept_emp"];

    private readonly string _folder = TestDatabases.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Schema_matches_the_shared_sample()
    {
        var generated = SqliteSchemaReader.Read(TestDatabases.Generate(_folder, 50));
        var shared = SqliteSchemaReader.Read(TestDatabases.CopySharedSample(_folder));

        Assert.Equal(
            Tables.Select(t => (t, "table")).Concat(Views.Select(v => (v, "view"))).Order(),
            generated.Select(t => (t.Name, t.Kind)).Order());
        foreach (var table in generated)
        {
            var match = Assert.Single(shared, s => s.Name == table.Name);
            Assert.Equal(match.Kind, table.Kind);
            Assert.Equal(match.Columns, table.Columns);
        }
    }

    [Fact]
    public void Counts_for_1000_employees_are_plausible()
    {
        var path = TestDatabases.Generate(_folder, 1000);

        Assert.Equal(1000, TestDatabases.Scalar(path, "SELECT count(*) FROM employee"));
        Assert.Equal(9, TestDatabases.Scalar(path, "SELECT count(*) FROM department"));
        Assert.InRange(TestDatabases.Scalar(path, "SELECT count(*) FROM salary"), 8000, 11000);
        Assert.InRange(TestDatabases.Scalar(path, "SELECT count(*) FROM title"), 1000, 2000);
        Assert.InRange(TestDatabases.Scalar(path, "SELECT count(*) FROM dept_emp"), 1000, 1300);
        Assert.InRange(TestDatabases.Scalar(path, "SELECT count(*) FROM dept_manager"), 9, 27);
        Assert.Equal(1000, TestDatabases.Scalar(path, "SELECT count(*) FROM current_dept_emp"));
        Assert.Equal(1000, TestDatabases.Scalar(path, "SELECT count(DISTINCT emp_no) FROM salary"));
        Assert.Equal(0, TestDatabases.Scalar(path, "SELECT count(*) FROM salary WHERE from_date >= to_date"));
        Assert.Equal(0, TestDatabases.Scalar(path, "SELECT count(*) FROM dept_manager WHERE emp_no NOT IN (SELECT emp_no FROM employee)"));
        Assert.Equal(0, TestDatabases.Scalar(path, "SELECT count(*) FROM employee WHERE hire_date <= birth_date"));
    }

    [Fact]
    public void Same_arguments_give_the_same_rows_and_another_seed_does_not()
    {
        var first = TestDatabases.Generate(_folder, 300, 7, "a.db");
        var second = TestDatabases.Generate(_folder, 300, 7, "b.db");
        var other = TestDatabases.Generate(_folder, 300, 8, "c.db");

        foreach (var table in Tables)
        {
            Assert.Equal(TestDatabases.Dump(first, table), TestDatabases.Dump(second, table));
        }

        Assert.NotEqual(TestDatabases.Dump(first, "salary"), TestDatabases.Dump(other, "salary"));
    }

    [Fact]
    public void Creates_1000_employees_and_leaves_no_temporary_files()
    {
        TestDatabases.Generate(_folder, 10, name: "warm-up.db");
        var path = TestDatabases.Generate(_folder, 1000);

        Assert.Equal(["generated.db", "warm-up.db"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
        Assert.Equal(1000, TestDatabases.Scalar(path, "SELECT count(*) FROM employee"));
    }

    [Fact]
    public void Replaces_an_existing_file_atomically()
    {
        var path = TestDatabases.Generate(_folder, 20);
        SampleDatabaseGenerator.Create(path, 30);

        Assert.Equal(30, TestDatabases.Scalar(path, "SELECT count(*) FROM employee"));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Scales_to_20000_employees()
    {
        var path = TestDatabases.Generate(_folder, 20_000);

        Assert.Equal(20_000, TestDatabases.Scalar(path, "SELECT count(*) FROM employee"));
        Assert.InRange(TestDatabases.Scalar(path, "SELECT count(*) FROM salary"), 160_000, 220_000);
        Assert.Equal(30_000, TestDatabases.Scalar(path, "SELECT max(emp_no) FROM employee"));
    }

    [Fact]
    public void Zero_employees_gives_departments_only()
    {
        var path = TestDatabases.Generate(_folder, 0);

        Assert.Equal(0, TestDatabases.Scalar(path, "SELECT count(*) FROM employee"));
        Assert.Equal(9, TestDatabases.Scalar(path, "SELECT count(*) FROM department"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleDatabaseGenerator.Create(path, -1));
    }
}
