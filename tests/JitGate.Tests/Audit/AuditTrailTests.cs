using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Tests.Audit;

public sealed class AuditTrailTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_change_and_every_query_is_recorded_with_actor_action_and_outcome()
    {
        var binding = await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H",
            scope = new { tables = new[] { new { database = "hr_prod", table = "salary" } } },
        });
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from salary limit 3")).StatusCode);
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from department"), HttpStatusCode.Forbidden, "access-denied");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "delete from salary"), HttpStatusCode.BadRequest, "read-only");
        await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}");
        _app.Clock.Advance(TimeSpan.FromHours(2));

        var all = (await _admin.GetOkAsync("/api/v1/audit?pageSize=500")).AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Contains(all, r => Is(r, "admin@example.com", "user.signup", "success"));
        Assert.Contains(all, r => Is(r, "admin@example.com", "user.create", "success") && r["resource"]!.GetValue<string>() == "user:dev@example.com");
        Assert.Contains(all, r => Is(r, "admin@example.com", "binding.create", "success"));
        Assert.Contains(all, r => Is(r, "admin@example.com", "binding.revoke", "success"));

        var queries = (await _admin.GetOkAsync("/api/v1/audit?actor=dev@example.com&action=query.execute&database=hr_prod")).AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(3, queries.Count);
        var allowed = queries.Single(r => r["outcome"]!.GetValue<string>() == "allowed");
        Assert.Equal("select * from salary limit 3", allowed["detail"]!["statement"]!.GetValue<string>());
        Assert.Equal(3, allowed["detail"]!["rowCount"]!.GetValue<int>());
        Assert.Contains("main.salary", allowed["detail"]!["tables"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(2, queries.Count(r => r["outcome"]!.GetValue<string>() == "denied"));

        var failedLogin = await _dev.Http.PostAsync("/api/v1/auth/login", JsonContent("{\"email\":\"dev@example.com\",\"password\":\"wrong-one\"}"));
        Assert.Equal(HttpStatusCode.Unauthorized, failedLogin.StatusCode);
        var logins = (await _admin.GetOkAsync("/api/v1/audit?action=auth.login&outcome=failure")).AsArray();
        Assert.Single(logins);
    }

    [Fact]
    public async Task Concurrent_queries_are_each_recorded_once_with_their_own_statement()
    {
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });
        var statements = Enumerable.Range(0, 60).Select(i => $"select {i} as n, count(*) from employee").ToList();

        var answers = await Task.WhenAll(statements.Select(sql => _dev.QueryAsync("hr_prod", sql)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var recorded = (await _admin.GetOkAsync("/api/v1/audit?action=query.execute&pageSize=500")).AsArray()
            .Select(r => r!["detail"]!["statement"]!.GetValue<string>()).ToList();
        Assert.Equal(statements.Order(), recorded.Order());
    }

    [Fact]
    public async Task A_record_the_store_refuses_fails_its_caller_and_leaves_no_transaction_behind()
    {
        var writer = _app.Services.GetRequiredService<QueryAuditWriter>();
        var refused = new AuditRecord { At = _app.Clock.GetUtcNow(), Actor = "dev@example.com", Action = null!, Resource = "databases/hr_prod", Outcome = "allowed", DetailJson = "{}" };

        await Assert.ThrowsAnyAsync<DbException>(() => writer.WriteAsync(refused));

        // A transaction left open would hold the store's write lock: every later change would time out.
        var binding = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select 42")).StatusCode);
        var queries = (await _admin.GetOkAsync("/api/v1/audit?action=query.execute")).AsArray();
        Assert.Equal("select 42", Assert.Single(queries)!["detail"]!["statement"]!.GetValue<string>());
        Assert.NotNull(binding["id"]);
    }

    [Fact]
    public async Task Expiry_is_recorded_once_by_the_background_job()
    {
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });
        _app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(5));
        JsonArray expired = [];
        for (var i = 0; i < 100 && expired.Count == 0; i++)
        {
            _app.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(20);
            expired = (await _admin.GetOkAsync("/api/v1/audit?action=binding.expire")).AsArray();
        }
        Assert.Single(expired);
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(100);
        Assert.Single((await _admin.GetOkAsync("/api/v1/audit?action=binding.expire")).AsArray());
    }

    [Fact]
    public async Task Only_admins_and_dbas_read_the_audit_trail_and_filters_are_checked()
    {
        await Api.ProblemAsync(await _dev.Http.GetAsync("/api/v1/audit"), HttpStatusCode.Forbidden, "forbidden");
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        Assert.NotEmpty((await dba.GetOkAsync("/api/v1/audit")).AsArray());
        await Api.ProblemAsync(await _admin.Http.GetAsync("/api/v1/audit?pageSize=100000"), HttpStatusCode.BadRequest, "validation");
        var badDate = await _admin.Http.GetAsync("/api/v1/audit?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Equal("application/problem+json", badDate.Content.Headers.ContentType?.MediaType);

        var page1 = (await _admin.GetOkAsync("/api/v1/audit?pageSize=1&page=1")).AsArray();
        var page2 = (await _admin.GetOkAsync("/api/v1/audit?pageSize=1&page=2")).AsArray();
        Assert.NotEqual(page1[0]!["id"]!.GetValue<long>(), page2[0]!["id"]!.GetValue<long>());
        var future = (await _admin.GetOkAsync($"/api/v1/audit?since={Uri.EscapeDataString(JitGateApp.Start.AddDays(1).ToString("O"))}")).AsArray();
        Assert.Empty(future);
    }

    private static bool Is(JsonObject r, string actor, string action, string outcome) =>
        r["actor"]!.GetValue<string>() == actor && r["action"]!.GetValue<string>() == action && r["outcome"]!.GetValue<string>() == outcome;

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
