using JitGate.Engines.Postgres;
using Npgsql;

namespace JitGate.Engines.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresEndAccessManyTests(PostgresFixture pg)
{
    private const string Password = "reader-Pass-3";
    private static readonly TableRef Employee = new("public", "employee");
    private static readonly TableRef Salary = new("public", "salary");
    private static readonly TableRef Title = new("public", "title");

    private Task<EndRolesReport> EndMany(IReadOnlyCollection<string> roles) =>
        PostgresAccess.EndAccessManyAsync(pg.Server, PostgresFixture.Database, roles, CancellationToken.None);

    private async Task<List<string>> CreateRolesAsync(int count)
    {
        var roles = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var role = pg.NewRoleName();
            TableRef[] tables = (i % 3) switch { 0 => [Employee], 1 => [Employee, Title], _ => [Employee, Salary, Title] };
            await PostgresAccess.ReconcileAsync(pg.Server, PostgresFixture.Database, role, Password, ReadGrant.Tables(tables),
                DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
            roles.Add(role);
        }

        return roles;
    }

    private async Task<NpgsqlConnection> OpenSessionAsync(string role, string table)
    {
        var session = pg.LoginAs(role, Password);
        await session.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {table}", session);
        await command.ExecuteScalarAsync();
        return session;
    }

    private Task<long> PrivilegesHeldAsync(IEnumerable<string> roles) => pg.ScalarAsSuperuserAsync<long>(
        $"""
        with r as (select oid from pg_roles where rolname in ({string.Join(", ", roles.Select(r => $"'{r}'"))}))
        select (select count(*) from pg_class c, aclexplode(c.relacl) a where a.grantee in (select oid from r))
             + (select count(*) from pg_namespace n, aclexplode(n.nspacl) a where a.grantee in (select oid from r))
             + (select count(*) from pg_database d, aclexplode(d.datacl) a where a.grantee in (select oid from r))
        """);

    private async Task DropAsync(IEnumerable<string> roles)
    {
        foreach (var role in roles)
        {
            await PostgresAccess.DropRoleAsync(pg.Server, PostgresFixture.Database, role, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Fifty_roles_with_open_sessions_all_end_and_a_second_call_changes_nothing()
    {
        var roles = await CreateRolesAsync(50);
        var sessions = new List<NpgsqlConnection>();
        foreach (var role in roles)
        {
            sessions.Add(await OpenSessionAsync(role, "employee"));
        }

        try
        {
            Assert.True(await PrivilegesHeldAsync(roles) > 0);
            string[] absent = ["jit_never_created_1", "jit_never_created_2"];

            var report = await EndMany([.. roles, .. absent, roles[0]]);

            Assert.Equal(roles.Order(StringComparer.Ordinal), report.RolesEnded);
            Assert.Equal(absent, report.Missing);
            Assert.Empty(report.Failed);
            Assert.Equal(50, report.SessionsEnded);
            Assert.All(roles, r =>
            {
                var role = report.Roles[r];
                Assert.Contains("login disabled", role.RoleChanges);
                Assert.Contains("CONNECT on database hr_prod", role.Revoked);
                Assert.Contains("SELECT on table public.employee", role.Revoked);
                Assert.Equal(1, role.SessionsTerminated);
            });
            Assert.Contains("SELECT on table public.salary", report.Roles[roles[2]].Revoked);

            foreach (var session in sessions)
            {
                await using var command = new NpgsqlCommand("select 1", session);
                await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync());
            }

            Assert.Equal(0L, await PrivilegesHeldAsync(roles));
            Assert.Equal(0L, await pg.ScalarAsSuperuserAsync<long>(
                $"select count(*) from pg_roles where rolname in ({string.Join(", ", roles.Select(r => $"'{r}'"))}) and (rolcanlogin or rolvaliduntil > now())"));
            foreach (var role in new[] { roles[0], roles[25], roles[^1] })
            {
                await using var fresh = pg.LoginAs(role, Password);
                var login = await Assert.ThrowsAsync<PostgresException>(() => fresh.OpenAsync());
                Assert.Contains(login.SqlState, new[] { PostgresErrorCodes.InvalidPassword, PostgresErrorCodes.InvalidAuthorizationSpecification });
            }

            var again = await EndMany(roles);
            Assert.False(again.Changed, string.Join("; ", again.Roles.Where(r => r.Value.Changed).Select(r => $"{r.Key}: {r.Value}")));
            Assert.Equal(0, again.SessionsEnded);
            Assert.Equal(50, again.RolesEnded.Count);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }

            await DropAsync(roles);
        }
    }

    [Fact]
    public async Task Roles_that_do_not_exist_are_skipped_and_nothing_is_an_empty_report()
    {
        var report = await EndMany(["jit_not_there_a", "jit_not_there_b"]);
        Assert.Empty(report.Roles);
        Assert.Equal(["jit_not_there_a", "jit_not_there_b"], report.Missing);
        Assert.False(report.Changed);
        Assert.False((await EndMany([])).Changed);
        await Assert.ThrowsAsync<ArgumentException>(() => EndMany(["jit_ok", "postgres"]));
    }

    [Fact]
    public async Task A_privilege_the_admin_cannot_revoke_fails_that_role_closed_and_still_ends_the_others()
    {
        var roles = await CreateRolesAsync(3);
        // payroll is a schema the admin has no rights in, so its REVOKE there is refused outright.
        await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"GRANT USAGE ON SCHEMA payroll TO {roles[1]}", $"GRANT SELECT ON payroll.bonus TO {roles[1]}");
        await using var session = await OpenSessionAsync(roles[1], "payroll.bonus");
        try
        {
            var ex = await Assert.ThrowsAsync<EngineException>(() => EndMany(roles));
            Assert.Contains(roles[1], ex.Message, StringComparison.Ordinal);
            Assert.Contains("payroll.bonus", ex.Message, StringComparison.Ordinal);
            Assert.Contains("granted by postgres", ex.Message, StringComparison.Ordinal);
            Assert.NotNull(ex.EndAccess);
            Assert.Equal([roles[1]], ex.EndAccess.Failed.Keys);
            Assert.Equal(new[] { roles[0], roles[2] }.Order(StringComparer.Ordinal), ex.EndAccess.RolesEnded);

            await using (var command = new NpgsqlCommand("select 1", session))
            {
                await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync());
            }

            Assert.Equal(0L, await PrivilegesHeldAsync([roles[0], roles[2]]));
            Assert.False(await pg.ScalarAsSuperuserAsync<bool>($"select rolcanlogin from pg_roles where rolname = '{roles[1]}'"));
            // What the admin did grant is gone even for the failed role.
            Assert.Equal(2L, await PrivilegesHeldAsync([roles[1]]));

            await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"REVOKE ALL ON payroll.bonus FROM {roles[1]}", $"REVOKE ALL ON SCHEMA payroll FROM {roles[1]}");
            var report = await EndMany(roles);
            Assert.Empty(report.Failed);
            Assert.False(report.Changed);
        }
        finally
        {
            await pg.ExecuteAsSuperuserAsync(PostgresFixture.Database, $"REVOKE ALL ON payroll.bonus FROM {roles[1]}", $"REVOKE ALL ON SCHEMA payroll FROM {roles[1]}");
            await DropAsync(roles);
        }
    }
}
