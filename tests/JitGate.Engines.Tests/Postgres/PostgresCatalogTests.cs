using JitGate.Engines.Postgres;

namespace JitGate.Engines.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresCatalogTests(PostgresFixture pg)
{
    [Fact]
    public async Task The_fixture_admin_passes_the_check()
    {
        Assert.Empty(await PostgresCatalog.CheckAdminAsync(pg.Server, CancellationToken.None));
    }

    [Fact]
    public async Task A_wrong_password_and_a_plain_login_are_reported()
    {
        var wrong = await PostgresCatalog.CheckAdminAsync(pg.Server with { AdminPassword = "wrong" }, CancellationToken.None);
        Assert.Single(wrong);
        Assert.StartsWith("Cannot connect", wrong[0], StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", wrong[0].Replace("Cannot connect", "", StringComparison.Ordinal), StringComparison.Ordinal);

        await pg.ExecuteAsSuperuserAsync("postgres", "CREATE ROLE plain_login LOGIN PASSWORD 'plain-Pass-1'");
        var plain = await PostgresCatalog.CheckAdminAsync(pg.Server with { AdminUsername = "plain_login", AdminPassword = "plain-Pass-1" }, CancellationToken.None);
        Assert.Equal(2, plain.Count);
        Assert.Contains(plain, p => p.Contains("CREATEROLE", StringComparison.Ordinal));
        Assert.Contains(plain, p => p.Contains("pg_signal_backend", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lists_user_databases_the_admin_can_connect_to()
    {
        Assert.Equal(["hr_prod", "hr_test"], await PostgresCatalog.ListDatabasesAsync(pg.Server, CancellationToken.None));
    }

    [Fact]
    public async Task Reads_tables_views_and_columns()
    {
        var tables = await PostgresCatalog.ReadTablesAsync(pg.Server, PostgresFixture.Database, CancellationToken.None);
        var salary = Assert.Single(tables, t => t.Schema == "public" && t.Name == "salary");
        Assert.Equal("table", salary.Kind);
        Assert.Equal(["emp_no", "amount", "from_date", "to_date"], salary.Columns.Select(c => c.Name));
        Assert.Equal("integer", salary.Columns[0].Type);
        Assert.Equal("view", Assert.Single(tables, t => t.Name == "current_dept_emp").Kind);
        Assert.Contains(tables, t => t.Schema == "payroll" && t.Name == "bonus");
        Assert.DoesNotContain(tables, t => t.Schema is "pg_catalog" or "information_schema");
    }

    [Fact]
    public void The_server_record_never_prints_the_password()
    {
        Assert.DoesNotContain(PostgresFixture.AdminPassword, pg.Server.ToString(), StringComparison.Ordinal);
    }
}
