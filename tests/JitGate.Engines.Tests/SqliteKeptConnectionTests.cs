using JitGate.Engines.Sqlite;
using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Tests;

/// <summary>
/// The runner keeps connections to a file open between queries. What one query was allowed must
/// never carry over to the next, and the next must see the file as it is now.
/// </summary>
public sealed class SqliteKeptConnectionTests : IDisposable
{
    private static readonly QueryLimits Limits = new(1000, TimeSpan.FromSeconds(10));
    private static readonly ReadGrant EmployeeOnly = ReadGrant.Tables([new TableRef("main", "employee")]);
    private readonly string _folder = TestDatabases.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_narrower_grant_after_a_wider_one_on_the_same_file_is_enforced()
    {
        var path = TestDatabases.Generate(_folder, 20);
        for (var round = 0; round < 3; round++)
        {
            Assert.IsType<QueryOutcome.Success>(Run(path, ReadGrant.Everything, "select count(*) from salary"));
            var denied = Assert.IsType<QueryOutcome.Denied>(Run(path, EmployeeOnly, "select count(*) from salary"));
            Assert.Equal("salary", Assert.Single(denied.Tables).Name);
            Assert.IsType<QueryOutcome.Denied>(Run(path, ReadGrant.Nothing, "select count(*) from employee"));
        }
    }

    [Fact]
    public void A_refused_attempt_to_lift_read_only_leaves_the_next_query_read_only()
    {
        var path = TestDatabases.Generate(_folder, 20);
        var before = TestDatabases.Sha256(path);

        Assert.IsType<QueryOutcome.ReadOnlyViolation>(Run(path, ReadGrant.Everything, "pragma query_only = 0"));
        Assert.IsType<QueryOutcome.ReadOnlyViolation>(Run(path, ReadGrant.Everything, "delete from salary"));
        Assert.IsType<QueryOutcome.ReadOnlyViolation>(Run(path, ReadGrant.Everything, "create temp table t(x)"));
        Assert.IsType<QueryOutcome.Success>(Run(path, ReadGrant.Everything, "select count(*) from salary"));

        Assert.Equal(before, TestDatabases.Sha256(path));
    }

    [Fact]
    public void A_file_replaced_by_another_is_read_afresh()
    {
        var path = TestDatabases.Generate(_folder, 5);
        Assert.Equal(5L, Count(path));

        // The generator replaces the file atomically: a new file under the same name.
        TestDatabases.Generate(_folder, 12);

        Assert.Equal(12L, Count(path));
    }

    [Fact]
    public void A_table_created_after_the_connection_was_kept_is_known_and_checked()
    {
        var path = TestDatabases.Generate(_folder, 5);
        // In WAL mode another writer's commits leave the main file untouched, so the kept connection
        // stays in use and must notice the new table itself.
        using var writer = new SqliteConnection($"Data Source={path};Pooling=False");
        writer.Open();
        Execute(writer, "pragma journal_mode=wal");
        Assert.Equal(5L, Count(path));

        Execute(writer, "create table extra(secret text); insert into extra values ('s3cret')");

        var denied = Assert.IsType<QueryOutcome.Denied>(Run(path, EmployeeOnly, "select * from extra"));
        Assert.Equal("extra", Assert.Single(denied.Tables).Name);
        // count(*) names no column: only a current list of the file's tables tells it from a CTE.
        var counted = Assert.IsType<QueryOutcome.Denied>(Run(path, EmployeeOnly, "select count(*) from extra"));
        Assert.Equal("extra", Assert.Single(counted.Tables).Name);
        var read = Assert.IsType<QueryOutcome.Success>(Run(path, ReadGrant.Everything, "select * from extra"));
        Assert.Equal("s3cret", Assert.Single(read.Rows)[0]);
    }

    [Fact]
    public void A_deleted_file_is_a_clear_error_even_with_a_kept_connection()
    {
        var path = TestDatabases.Generate(_folder, 5);
        Assert.Equal(5L, Count(path));

        File.Delete(path);

        Assert.Throws<SqliteEngineException>(() => Run(path, ReadGrant.Everything, "select count(*) from employee"));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static QueryOutcome Run(string path, ReadGrant grant, string sql) =>
        SqliteQueryRunner.Run(path, grant, sql, Limits, CancellationToken.None);

    private static object? Count(string path) =>
        Assert.IsType<QueryOutcome.Success>(Run(path, ReadGrant.Everything, "select count(*) from employee")).Rows[0][0];
}
