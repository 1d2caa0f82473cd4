using JitGate.Engines.Sqlite;

namespace JitGate.Engines.Tests;

public sealed class SqliteSchemaReaderTests(SampleDatabasesFixture databases) : IClassFixture<SampleDatabasesFixture>
{
    [Fact]
    public void Lists_tables_and_views_with_columns()
    {
        var tables = SqliteSchemaReader.Read(databases.Generated);

        var salary = Assert.Single(tables, t => t.Name == "salary");
        Assert.Equal("main", salary.Schema);
        Assert.Equal("table", salary.Kind);
        Assert.Equal(
            [new("emp_no", "INTEGER"), new("amount", "INTEGER"), new("from_date", "DATE"), new("to_date", "DATE")],
            salary.Columns);
        var view = Assert.Single(tables, t => t.Name == "current_dept_emp");
        Assert.Equal("view", view.Kind);
        Assert.Equal(["emp_no", "dept_no", "from_date", "to_date"], view.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Reads_the_externally_made_sample_without_internal_tables()
    {
        var tables = SqliteSchemaReader.Read(databases.Shared);

        Assert.Contains(tables, t => t.Name == "employee" && t.Kind == "table" && t.Columns.Count == 6);
        Assert.Contains(tables, t => t.Name == "dept_emp_latest_date" && t.Kind == "view");
        Assert.DoesNotContain(tables, t => t.Name.StartsWith("sqlite_", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var missing = Path.Combine(databases.Folder, "nope.db");

        var error = Assert.Throws<SqliteEngineException>(() => SqliteSchemaReader.Read(missing));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_a_clear_error()
    {
        var junk = Path.Combine(databases.Folder, "junk.db");
        File.WriteAllText(junk, new string('x', 5000));

        var error = Assert.Throws<SqliteEngineException>(() => SqliteSchemaReader.Read(junk));
        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);

        var fromRunner = Assert.Throws<SqliteEngineException>(() => SqliteQueryRunner.Run(
            junk, ReadGrant.Everything, "select 1", new QueryLimits(10, TimeSpan.FromSeconds(5)), CancellationToken.None));
        Assert.Contains("not a SQLite database", fromRunner.Message, StringComparison.Ordinal);
    }
}
