using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Tests.Authorization;

/// <summary>
/// The policy snapshot takes a grant or a revoke in by re-reading only that principal's bindings. Whatever
/// the order of changes, it must hold exactly what a full read of the store gives; and changes arriving
/// faster than a load must not keep requests waiting.
/// </summary>
public sealed class PolicySnapshotUpdateTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private readonly List<long> _users = [];
    private readonly Dictionary<string, long> _ids = [];

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        foreach (var email in new[] { "dev1@example.com", "dev2@example.com", "dev3@example.com" })
        {
            await _admin.CreateUserAsync(_app, email);
            await _admin.BindAsync("sample", new { principal = $"user:{email}", role = "projectDeveloper" });
        }
        foreach (var user in (await _admin.GetOkAsync("/api/v1/users")).AsArray())
        {
            _users.Add(user!["id"]!.GetValue<long>());
            _ids[user["email"]!.GetValue<string>()] = user["id"]!.GetValue<long>();
        }
        await _admin.PostOkAsync("/api/v1/groups", new { email = "oncall@example.com", name = "On-call", members = new[] { "dev1@example.com", "dev2@example.com" } });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Grants_and_revokes_of_users_and_groups_in_any_order_leave_what_a_full_read_gives()
    {
        var random = new Random(20261130);
        var principals = new[] { "user:dev1@example.com", "user:dev2@example.com", "user:dev3@example.com", "group:oncall@example.com" };
        var scopes = new object?[]
        {
            new { databases = new[] { "hr_prod" } },
            new { databases = new[] { "hr_test" } },
            new { tables = new[] { new { database = "hr_prod", table = "employee" } } },
            new { tables = new[] { new { database = "hr_prod", table = "salary" }, new { database = "hr_test", table = "title" } } },
            null,
        };
        var live = new List<(long Id, string Principal)>();
        for (var step = 0; step < 60; step++)
        {
            if (step == 30)
            {
                // A disabled user holds nothing, however their bindings change afterwards.
                var dev3 = _ids["dev3@example.com"];
                Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync($"/api/v1/users/{dev3}", new { disabled = true })).StatusCode);
            }
            else if (live.Count > 0 && random.Next(3) == 0)
            {
                var (id, _) = live[random.Next(live.Count)];
                live.RemoveAll(b => b.Id == id);
                var revoked = await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{id}");
                Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
            }
            else
            {
                var principal = principals[random.Next(principals.Length)];
                var scope = scopes[random.Next(scopes.Length)];
                var role = scope is null ? "projectDeveloper" : "sqlEditorUser";
                var response = await _admin.PostAsync("/api/v1/projects/sample/bindings",
                    scope is null ? new { principal, role, duration = "PT2H" } : new { principal, role, duration = $"PT{1 + random.Next(5)}H", scope });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    live.Add(((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>(), principal));
                }
                else
                {
                    // Only the disabled user may be refused a grant.
                    Assert.Equal("user:dev3@example.com", principal);
                }
            }
            await AssertSameAsFullReadAsync($"after step {step}");
        }

        // And the engine acts on it: dev1 reads hr_prod exactly when the snapshot says so.
        var dev1 = new Api(_app.CreateClient());
        await dev1.LoginAsync("dev1@example.com", "user-password-1");
        var snapshot = await _app.Services.GetRequiredService<PolicyCache>().GetAsync();
        var grant = snapshot.ReadGrantFor(_ids["dev1@example.com"], "hr_prod", _app.Clock.GetUtcNow());
        var answer = await dev1.QueryAsync("hr_prod", "select count(*) from employee");
        Assert.Equal(grant.Allows("main", "employee") ? HttpStatusCode.OK : HttpStatusCode.Forbidden, answer.StatusCode);
    }

    [Fact]
    public async Task A_steady_stream_of_access_changes_does_not_hold_requests_back()
    {
        // A workspace whose full load takes long enough (tens of thousands of bindings) that changes
        // always arrive while it runs, whatever else the machine is doing.
        SeedBindings(20_000);
        var cache = _app.Services.GetRequiredService<PolicyCache>();
        cache.Invalidate();
        using var stop = new CancellationTokenSource();
        // Changes far faster than a load of the store can finish, from a thread of their own: every load
        // is overtaken by newer changes before it ends.
        var churn = new Thread(() =>
        {
            var n = 0L;
            while (!stop.IsCancellationRequested)
            {
                if (n++ % 2 == 0) cache.Invalidate();
                else cache.InvalidateBindingsOf("user", _ids["dev1@example.com"]);
            }
        }) { IsBackground = true };
        churn.Start();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                // A request waits for at most the load under way and one more, never for the stream to stop.
                var me = await _admin.Http.GetAsync("/api/v1/me/access").WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            }
        }
        finally
        {
            await stop.CancelAsync();
            churn.Join();
        }
    }

    private void SeedBindings(int count) => MetadataRows.Insert(_app, """
        INSERT INTO bindings (ProjectId, PrincipalType, PrincipalId, Role, ScopeJson, Source, CreatedBy, CreatedAt, BreakGlass)
        VALUES ('sample', 'user', $user, 'sqlEditorUser', '{"databases":["hr_test"]}', 'manual', 1, $at, 0)
        """, count, (insert, i) => MetadataRows.Set(insert, "$user", 1_000_000 + i));

    private async Task AssertSameAsFullReadAsync(string when)
    {
        var services = _app.Services;
        var kept = await services.GetRequiredService<PolicyCache>().GetAsync();
        using var fresh = new PolicyCache(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<ChangeFeed>(), services.GetRequiredService<AccessChanges>());
        var full = await fresh.GetAsync();
        var now = _app.Clock.GetUtcNow();
        Assert.Equal(full.BindingCount, kept.BindingCount);
        foreach (var user in _users)
        {
            var expected = full.ActiveBindingsOf(user, now).Select(b => (b.Id, b.Role, b.ExpiresAt, b.AllDatabases, string.Join(",", b.Databases.Order()), string.Join(",", b.Tables.Keys.Order()))).Order().ToList();
            var actual = kept.ActiveBindingsOf(user, now).Select(b => (b.Id, b.Role, b.ExpiresAt, b.AllDatabases, string.Join(",", b.Databases.Order()), string.Join(",", b.Tables.Keys.Order()))).Order().ToList();
            Assert.True(expected.SequenceEqual(actual), $"{when}: user {user} holds [{string.Join("; ", actual)}] in the kept snapshot, [{string.Join("; ", expected)}] in a full read");
        }
    }
}
