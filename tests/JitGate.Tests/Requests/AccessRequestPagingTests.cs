using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Requests;

/// <summary>
/// Request lists come in pages, newest first, with a Link header to the next page. A page is filled with
/// requests the caller may see however many others lie between them: an approver's queue never hides a
/// request behind newer ones that are not theirs to decide.
/// </summary>
public sealed class AccessRequestPagingTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _owner = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _owner = await _admin.CreateUserAsync(_app, "owner@example.com");
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/risk-rules",
            new[] { new { source = "requestRole", level = "high", title = "Prod", condition = "environment_id == \"prod\"" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/approval-flows",
            new[] { new { source = "requestRole", level = "high", steps = new[] { "projectOwner" } } })).StatusCode);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<long> AskAsync(Api who)
    {
        var request = await who.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "incident 7" });
        Assert.Equal("pendingApproval", request["status"]!.GetValue<string>());
        return request["id"]!.GetValue<long>();
    }

    [Fact]
    public async Task The_approvers_queue_pages_past_newer_requests_that_are_not_theirs()
    {
        var devs = new List<long>();
        for (var i = 0; i < 4; i++) devs.Add(await AskAsync(_dev));
        // Newer than all of them: the owner's own requests, which are never theirs to decide.
        for (var i = 0; i < 3; i++) await AskAsync(_owner);

        var first = await _owner.Http.GetAsync("/api/v1/access-requests?filter=waitingForMe&limit=2");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal([devs[3], devs[2]], await IdsAsync(first));
        var next = Assert.Single(first.Headers.GetValues("Link"));
        Assert.Equal($"</api/v1/access-requests?filter=waitingForMe&limit=2&before={devs[2]}>; rel=\"next\"", next);

        var second = await _owner.Http.GetAsync(next[1..next.IndexOf('>', StringComparison.Ordinal)]);
        Assert.Equal([devs[1], devs[0]], await IdsAsync(second));
        Assert.False(second.Headers.Contains("Link"));

        // The whole queue fits one page by default.
        Assert.Equal(devs.AsEnumerable().Reverse(), await IdsAsync(await _owner.Http.GetAsync("/api/v1/access-requests?filter=waitingForMe")));
    }

    [Fact]
    public async Task A_projects_list_pages_through_every_request_once()
    {
        var all = new List<long>();
        for (var i = 0; i < 5; i++) all.Add(await AskAsync(i % 2 == 0 ? _dev : _owner));
        var seen = new List<long>();
        var url = "/api/v1/projects/sample/access-requests?status=pendingApproval&limit=2";
        while (true)
        {
            var page = await _dev.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            seen.AddRange(await IdsAsync(page));
            if (!page.Headers.TryGetValues("Link", out var links)) break;
            var link = Assert.Single(links);
            url = link[1..link.IndexOf('>', StringComparison.Ordinal)];
        }
        Assert.Equal(all.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task One_call_reads_a_bounded_number_of_rows_and_a_short_page_still_links_on()
    {
        var own = await AskAsync(_dev);
        // 6,000 newer requests the developer may not see (the owner's, pending for the owner's own role).
        var ownerId = (await _admin.GetOkAsync("/api/v1/users")).AsArray().Single(u => u!["email"]!.GetValue<string>() == "owner@example.com")!["id"]!.GetValue<long>();
        SeedPendingRequests(ownerId, 6000);

        var first = await _dev.Http.GetAsync("/api/v1/access-requests?filter=all");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // Nothing the developer may see among the 5,000 newest rows one call reads: an empty page that goes on.
        Assert.Empty(await IdsAsync(first));
        var link = Assert.Single(first.Headers.GetValues("Link"));
        var second = await _dev.Http.GetAsync(link[1..link.IndexOf('>', StringComparison.Ordinal)]);
        Assert.Equal([own], await IdsAsync(second));
        Assert.False(second.Headers.Contains("Link"));
    }

    [Fact]
    public async Task The_next_link_replaces_the_callers_cursor_whatever_its_case()
    {
        for (var i = 0; i < 3; i++) await AskAsync(_dev);
        var page = await _owner.Http.GetAsync("/api/v1/access-requests?filter=waitingForMe&limit=1&Before=1000");
        var link = Assert.Single(page.Headers.GetValues("Link"));
        Assert.Single(link.Split('?', '&'), part => part.StartsWith("before=", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, (await _owner.Http.GetAsync(link[1..link.IndexOf('>', StringComparison.Ordinal)])).StatusCode);
    }

    private void SeedPendingRequests(long requesterId, int count) => MetadataRows.Insert(_app, """
        INSERT INTO access_requests (ProjectId, RequesterId, Role, ScopeJson, Duration, Reason, RiskLevel, Status, CreatedAt, UpdatedAt, Version)
        VALUES ('sample', $requester, 'sqlEditorUser', '{"databases":["hr_prod"]}', 'PT1H', 'seeded', 'high', 'pendingApproval', $at, $at, 1);
        INSERT INTO approval_steps (RequestId, "Index", Approver, Status) VALUES (last_insert_rowid(), 0, 'projectOwner', 'pending');
        """, count, (insert, _) => MetadataRows.Set(insert, "$requester", requesterId));

    [Theory]
    [InlineData("/api/v1/access-requests?limit=0", "validation", "limit")]
    [InlineData("/api/v1/access-requests?limit=1001", "validation", "limit")]
    [InlineData("/api/v1/access-requests?before=0", "validation", "before")]
    [InlineData("/api/v1/projects/sample/access-requests?before=-5", "validation", "before")]
    // Not a number at all: refused while binding the query string, with the same naming.
    [InlineData("/api/v1/access-requests?limit=many", "invalid-request", "limit")]
    [InlineData("/api/v1/projects/sample/access-requests?limit=99999999999", "invalid-request", "limit")]
    public async Task A_bad_page_is_a_400_naming_the_parameter(string url, string type, string parameter)
    {
        var problem = await Api.ProblemAsync(await _dev.Http.GetAsync(url), HttpStatusCode.BadRequest, type);
        Assert.Contains(parameter, problem.ToJsonString(), StringComparison.Ordinal);
    }

    private static async Task<List<long>> IdsAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonArray>())!.Select(r => r!["id"]!.GetValue<long>()).ToList();
}
