using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using Npgsql;

namespace JitGate.Tests.Replicas;

/// <summary>Three JitGate processes on loopback sharing one PostgreSQL metadata store, on the real clock.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaTests(PostgresFixture pg) : IAsyncLifetime
{
    private readonly List<ReplicaProcess> _replicas = [];
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n"));
    private string _metadata = "";

    public async Task InitializeAsync()
    {
        _metadata = PostgresMetadata.NewDatabase(pg);
        // The first replica migrates and seeds; the others start together and must find it done.
        _replicas.Add(await ReplicaProcess.StartAsync("replica-a", _metadata, _dataDir));
        _replicas.AddRange(await Task.WhenAll(ReplicaProcess.StartAsync("replica-b", _metadata, _dataDir), ReplicaProcess.StartAsync("replica-c", _metadata, _dataDir)));
    }

    public async Task DisposeAsync()
    {
        foreach (var r in _replicas) await r.DisposeAsync();
    }

    private static async Task<HttpClient> SignInAsync(ReplicaProcess replica, string email, string password)
    {
        var client = replica.Client();
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
        return client;
    }

    private async Task<(HttpClient Admin, HttpClient DevOnB)> SetUpAsync()
    {
        using (var anonymous = _replicas[0].Client())
        {
            Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = "admin-password-1" })).StatusCode);
        }
        var admin = await SignInAsync(_replicas[0], "admin@example.com", "admin-password-1");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = "user-password-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = "user:admin@example.com", role = "projectOwner" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).StatusCode);
        return (admin, await SignInAsync(_replicas[1], "dev@example.com", "user-password-1"));
    }

    [Fact]
    public async Task A_revoke_on_one_replica_holds_on_the_next_query_of_another()
    {
        var (admin, dev) = await SetUpAsync();
        var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { "hr_prod" } } });
        var binding = (await grant.Content.ReadFromJsonAsync<JsonObject>())!;
        var query = new { database = "hr_prod", statement = "select count(*) from salary" };
        Assert.Equal(HttpStatusCode.OK, (await dev.PostAsJsonAsync("/api/v1/query", query)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await dev.PostAsJsonAsync("/api/v1/query", query)).StatusCode);

        // A logout on one replica holds on the others too.
        using var devOnC = await SignInAsync(_replicas[2], "dev@example.com", "user-password-1");
        var token = devOnC.DefaultRequestHeaders.Authorization!.Parameter;
        using var sameTokenOnA = _replicas[0].Client();
        sameTokenOnA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await sameTokenOnA.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await devOnC.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sameTokenOnA.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Each_webhook_event_is_delivered_once_across_replicas()
    {
        await using var receiver = await Receiver.StartAsync();
        var (admin, dev) = await SetUpAsync();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = receiver.Url, secret = "s3cret" })).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            using var requester = await SignInAsync(_replicas[i], "dev@example.com", "user-password-1");
            Assert.Equal(HttpStatusCode.Created, (await requester.PostAsJsonAsync("/api/v1/projects/sample/access-requests",
                new { scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = $"replica {i}" })).StatusCode);
        }
        // 3 requests x (requestCreated + approvalNeeded).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Requests.Count < 6 && DateTime.UtcNow < deadline) await Task.Delay(100);
        await Task.Delay(3000);
        var ids = receiver.Requests.Select(r => r.Headers["X-JitGate-Event-Id"]).ToList();
        Assert.Equal(6, ids.Count);
        Assert.Equal(6, ids.Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_approvals_spread_over_replicas_make_one_binding()
    {
        var (admin, dev) = await SetUpAsync();
        var created = await dev.PostAsJsonAsync("/api/v1/projects/sample/access-requests", new { scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "race" });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var owners = new List<HttpClient>();
        foreach (var replica in _replicas) owners.Add(await SignInAsync(replica, "admin@example.com", "admin-password-1"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => owners[i % 3].PostAsJsonAsync($"/api/v1/access-requests/{id}/approve", new { })));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.True(answers.All(a => a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict),
            string.Join("\n", _replicas.Select(r => r.Log)));
        var bindings = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/bindings"))!;
        Assert.Single(bindings, b => b!["source"]!.GetValue<string>() == "request");
    }

    [Fact]
    public async Task When_the_replica_running_background_work_is_killed_another_takes_over_and_expiries_still_land()
    {
        var (admin, _) = await SetUpAsync();
        var leader = await LeaderAsync();
        var survivor = _replicas.First(r => r != leader);
        using var admin2 = await SignInAsync(survivor, "admin@example.com", "admin-password-1");
        var grant = await admin2.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT3S" });
        var expiresAt = (await grant.Content.ReadFromJsonAsync<JsonObject>())!["expiresAt"]!.GetValue<DateTimeOffset>();

        leader.Kill();
        var deadline = expiresAt.AddSeconds(5);
        JsonArray expired = [];
        while (DateTimeOffset.UtcNow < deadline.AddSeconds(1))
        {
            expired = (await admin2.GetFromJsonAsync<JsonArray>("/api/v1/audit?action=binding.expire"))!;
            if (expired.Count > 0) break;
            await Task.Delay(200);
        }
        var recorded = Assert.Single(expired);
        Assert.True(recorded!["at"]!.GetValue<DateTimeOffset>() <= deadline, $"expiry recorded at {recorded["at"]}, {(recorded["at"]!.GetValue<DateTimeOffset>() - expiresAt).TotalSeconds:0.0} s late");
        var newLeader = await LeaderAsync();
        Assert.NotEqual(leader.Name, newLeader.Name);
    }

    /// <summary>The replica whose connection holds the background-work advisory lock.</summary>
    private async Task<ReplicaProcess> LeaderAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(_metadata).Database;
        for (var i = 0; i < 50; i++)
        {
            await using var connection = pg.Superuser("postgres");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
                "where l.locktype = 'advisory' and l.granted and l.objid::bigint = $1 and a.datname = $2", connection)
            {
                Parameters = { new() { Value = JitGate.Core.Persistence.ClusterLocks.Background }, new() { Value = database } },
            };
            if (await command.ExecuteScalarAsync() is string name) return _replicas.Single(r => r.Name == name);
            await Task.Delay(200);
        }
        throw new InvalidOperationException("No replica holds the background-work lock.");
    }
}
