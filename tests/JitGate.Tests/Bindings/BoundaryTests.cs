using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Bindings;

/// <summary>
/// The access boundary at the API: a scope that names nothing never widens to everything, a time
/// without an offset is never read in the host's zone, and data-reading access never outlives the
/// workspace maximum, whichever way it is made or changed.
/// </summary>
public sealed class BoundaryTests : IAsyncLifetime
{
    private static readonly object ThreeTables = new
    {
        tables = new[]
        {
            new { database = "hr_prod", table = "employee" },
            new { database = "hr_prod", table = "salary" },
            new { database = "hr_prod", table = "title" },
        },
    };

    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "projectOwner" });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Task<HttpResponseMessage> RawPostAsync(Api api, string url, string json) =>
        api.Http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<int> ReadingBindingsAsync() =>
        (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Count(b => b!["role"]!.GetValue<string>() == "sqlEditorUser")
        + (await _admin.GetOkAsync("/api/v1/workspace/bindings")).AsArray().Count(b => b!["role"]!.GetValue<string>() == "sqlEditorUser");

    [Theory]
    [InlineData("{\"databases\": []}", "empty-scope")]
    [InlineData("{\"tables\": []}", "empty-scope")]
    [InlineData("{\"databases\": [], \"tables\": []}", "empty-scope")]
    [InlineData("{}", "empty-scope")]
    [InlineData("{\"databases\": null, \"tables\": []}", "empty-scope")]
    [InlineData("{\"databases\": [null]}", "validation")]
    [InlineData("{\"databases\": [\"\"]}", "validation")]
    [InlineData("{\"tables\": [null]}", "validation")]
    [InlineData("{\"tables\": [{\"database\": \"hr_prod\"}]}", "validation")]
    [InlineData("{\"tables\": [{\"table\": \"salary\"}]}", "validation")]
    [InlineData("{\"tables\": [\"salary\"]}", "invalid-request")]
    [InlineData("{\"tables\": [42]}", "invalid-request")]
    public async Task A_scope_that_names_nothing_is_refused_on_every_path(string scope, string type)
    {
        var grant = $"{{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"duration\": \"PT1H\", \"scope\": {scope}}}";
        await Api.ProblemAsync(await RawPostAsync(_admin, "/api/v1/projects/sample/bindings", grant), HttpStatusCode.BadRequest, type);
        await Api.ProblemAsync(await RawPostAsync(_admin, "/api/v1/workspace/bindings", grant), HttpStatusCode.BadRequest, type);
        var request = $"{{\"role\": \"sqlEditorUser\", \"duration\": \"PT1H\", \"reason\": \"incident\", \"scope\": {scope}}}";
        await Api.ProblemAsync(await RawPostAsync(_dev, "/api/v1/projects/sample/access-requests", request), HttpStatusCode.BadRequest, type);
        await Api.ProblemAsync(await RawPostAsync(_dev, "/api/v1/projects/sample/access-requests/preview", request), HttpStatusCode.BadRequest, type);

        Assert.Equal(0, await ReadingBindingsAsync());
        Assert.Empty((await _dev.GetOkAsync("/api/v1/projects/sample/access-requests")).AsArray());
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_test", "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task An_empty_scope_message_says_what_to_do()
    {
        var problem = await Api.ProblemAsync(
            await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = Array.Empty<string>() } }),
            HttpStatusCode.BadRequest, "empty-scope");

        Assert.Contains("scope.databases", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("leave scope out", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-01T05:58:45")]
    [InlineData("2026-12-01T05:58")]
    [InlineData("2026-12-01")]
    [InlineData("2026-12-01T05:58:45+0900")]
    [InlineData("12/01/2026 05:58:45")]
    [InlineData("2026-12-01T05:58:45 Z")]
    public async Task A_time_without_an_offset_is_refused_with_an_example(string expiresAt)
    {
        foreach (var (api, url, body) in new[]
        {
            (_admin, "/api/v1/projects/sample/bindings", $"{{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": \"{expiresAt}\"}}"),
            (_dev, "/api/v1/projects/sample/access-requests", $"{{\"expiresAt\": \"{expiresAt}\", \"reason\": \"incident\"}}"),
            (_admin, "/api/v1/me/tokens", $"{{\"name\": \"ci\", \"expiresAt\": \"{expiresAt}\"}}"),
        })
        {
            var problem = await Api.ProblemAsync(await RawPostAsync(api, url, body), HttpStatusCode.BadRequest, "invalid-time");
            Assert.Equal("expiresAt", problem["field"]!.GetValue<string>());
            Assert.Contains("2026-12-01T05:58:45Z", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        await Api.ProblemAsync(await _admin.Http.GetAsync($"/api/v1/audit?since={Uri.EscapeDataString(expiresAt)}"), HttpStatusCode.BadRequest, "invalid-time");
        Assert.Equal(0, await ReadingBindingsAsync());
    }

    [Fact]
    public async Task A_time_with_an_offset_means_that_instant()
    {
        var at = JitGateApp.Start.AddHours(5);
        var tokyo = at.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        var made = await RawPostAsync(_admin, "/api/v1/projects/sample/bindings",
            $"{{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": \"{tokyo}\"}}");
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var binding = (await made.Content.ReadFromJsonAsync<JsonObject>())!;

        var stored = DateTimeOffset.Parse(binding["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(at, stored);
        Assert.Equal(TimeSpan.Zero, stored.Offset);

        var since = Uri.EscapeDataString(JitGateApp.Start.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEmpty((await _admin.GetOkAsync($"/api/v1/audit?since={since}")).AsArray());
    }

    [Fact]
    public async Task A_server_in_another_time_zone_gives_the_same_answers()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n"));
        await using var server = await ReplicaProcess.StartAsync("tokyo", null, dataDir,
            new Dictionary<string, string> { ["TZ"] = "Asia/Tokyo", ["JitGate__SampleEmployees"] = "50" });
        using var http = server.Client();
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = "admin-password-1" })).StatusCode);
        var login = await (await http.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "admin-password-1" })).Content.ReadFromJsonAsync<JsonObject>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", login!["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = "user-password-1" })).StatusCode);

        var local = DateTimeOffset.UtcNow.AddHours(3);
        var offsetless = local.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var refused = await http.PostAsync("/api/v1/projects/sample/bindings", new StringContent(
            $"{{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": \"{offsetless}\"}}", Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(refused, HttpStatusCode.BadRequest, "invalid-time");

        var made = await http.PostAsync("/api/v1/projects/sample/bindings", new StringContent(
            $"{{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": \"{offsetless}Z\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var text = (await made.Content.ReadFromJsonAsync<JsonObject>())!["expiresAt"]!.GetValue<string>();
        Assert.Equal(offsetless + "+00:00", text);
    }

    [Theory]
    [InlineData("user:dev@example.com", "/api/v1/projects/sample/bindings")]
    [InlineData("user:dev@example.com", "/api/v1/workspace/bindings")]
    public async Task Data_reading_access_without_an_end_is_refused(string principal, string url)
    {
        var problem = await Api.ProblemAsync(await _admin.PostAsync(url, new { principal, role = "sqlEditorUser" }), HttpStatusCode.BadRequest, "exceeds-maximum");
        Assert.Equal("P30D", problem["maxDuration"]!.GetValue<string>());
        Assert.Equal(0, await ReadingBindingsAsync());
    }

    [Fact]
    public async Task Membership_roles_may_be_open_ended_but_not_made_to_read_forever()
    {
        var developer = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        Assert.Null(developer["expiresAt"]);
        var owner = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectOwner" });
        // An owner manages and approves; reading rows still needs a time-limited grant.
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");

        var reading = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT4H" });
        var id = reading["id"]!.GetValue<long>();
        await Api.ProblemAsync(await _admin.Http.PatchAsJsonAsync($"/api/v1/projects/sample/bindings/{id}", new { neverExpires = true }),
            HttpStatusCode.BadRequest, "exceeds-maximum");
        var patched = await _admin.Http.PatchAsJsonAsync($"/api/v1/projects/sample/bindings/{owner["id"]}", new { neverExpires = true });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        _app.Clock.Advance(TimeSpan.FromHours(4));
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task Approval_after_the_maximum_was_lowered_shortens_the_access_and_says_so()
    {
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "P20D", reason = "incident" });
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/workspace", new { maxAccessDuration = "PT2H" })).StatusCode);

        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);

        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        var binding = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray()
            .Single(b => b!["id"]!.GetValue<long>() == approved["bindingId"]!.GetValue<long>())!;
        Assert.Equal(_app.Clock.GetUtcNow().AddHours(2), binding["expiresAt"]!.GetValue<DateTimeOffset>());
        var shortened = approved["timeline"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "shortened")!;
        Assert.Contains("PT2H", shortened["comment"]!.GetValue<string>(), StringComparison.Ordinal);

        _app.Clock.Advance(TimeSpan.FromHours(2));
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task An_extension_keeps_the_scope_and_never_shortens()
    {
        var first = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT4H", reason = "incident" });
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{first["id"]}/approve", new { }, HttpStatusCode.OK);
        var bindingId = approved["bindingId"]!.GetValue<long>();
        var ends = _app.Clock.GetUtcNow().AddHours(4);

        var otherScope = await _dev.PostAsync("/api/v1/projects/sample/access-requests",
            new { extendsBinding = bindingId, scope = new { databases = new[] { "hr_prod" } }, duration = "PT8H", reason = "more" });
        var problem = await Api.ProblemAsync(otherScope, HttpStatusCode.BadRequest, "validation");
        Assert.Equal("scope", problem["field"]!.GetValue<string>());
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/access-requests",
            new { extendsBinding = bindingId, duration = "PT1H", reason = "shorter" }), HttpStatusCode.BadRequest, "validation");

        var extension = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { extendsBinding = bindingId, duration = "PT8H", reason = "longer" });
        // Lowered below what is left of the binding: approving must not cut it short.
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/workspace", new { maxAccessDuration = "PT2H" })).StatusCode);
        await _admin.PostOkAsync($"/api/v1/access-requests/{extension["id"]}/approve", new { }, HttpStatusCode.OK);

        var binding = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Single(b => b!["id"]!.GetValue<long>() == bindingId)!;
        Assert.Equal(ends, binding["expiresAt"]!.GetValue<DateTimeOffset>());
    }
}
