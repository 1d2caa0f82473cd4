using System.Net;
using System.Text;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Bindings;

/// <summary>Bad input is a clear 4xx problem+json and stores nothing.</summary>
public sealed class BadInputTests : IAsyncLifetime
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

    [Theory]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": ", "invalid-request", null)]
    [InlineData("not json at all", "invalid-request", null)]
    [InlineData("{\"principal\": 42, \"role\": \"sqlEditorUser\"}", "invalid-request", "principal")]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": \"tomorrow\"}", "invalid-time", "expiresAt")]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": 5}", "invalid-time", "expiresAt")]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"scope\": {\"databases\": \"hr_prod\"}}", "invalid-request", "scope.databases")]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"scope\": {\"tables\": [\"employee\"]}}", "invalid-request", "scope.tables[0]")]
    [InlineData("[]", "invalid-request", null)]
    public async Task Malformed_or_mistyped_json_is_400(string body, string type, string? field)
    {
        var response = await _admin.Http.PostAsync("/api/v1/projects/sample/bindings", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest, type);
        // The message speaks of the API's fields, never of .NET types.
        Assert.DoesNotContain("JitGate.", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        if (field is not null) Assert.Equal(field, problem["field"]?.GetValue<string>());
        await AssertNoBindingsAsync();
    }

    [Theory]
    [InlineData("P100Y", "exceeds-maximum")]
    [InlineData("P31D", "exceeds-maximum")]
    [InlineData("-PT1H", "validation")]
    [InlineData("PT0S", "validation")]
    [InlineData("PT0.5S", "validation")]
    [InlineData(" PT1H", "validation")]
    [InlineData("PT1H ", "validation")]
    [InlineData("P T1H", "validation")]
    [InlineData("four hours", "validation")]
    [InlineData("P99999999999Y", "validation")]
    [InlineData("P10000Y", "validation")]
    public async Task Durations_over_the_maximum_negative_or_unreadable_are_400(string duration, string type)
    {
        var response = await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest, type);
        Assert.DoesNotContain("System.", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNoBindingsAsync();
    }

    [Fact]
    public async Task An_expiry_in_the_past_or_beyond_the_maximum_is_400()
    {
        foreach (var (expiresAt, type) in new[] { (JitGateApp.Start.AddMinutes(-1), "validation"), (JitGateApp.Start, "validation"), (JitGateApp.Start.AddDays(400), "exceeds-maximum") })
        {
            var response = await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", expiresAt });
            await Api.ProblemAsync(response, HttpStatusCode.BadRequest, type);
        }
        var both = await _admin.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", expiresAt = JitGateApp.Start.AddHours(1), duration = "PT1H" });
        await Api.ProblemAsync(both, HttpStatusCode.BadRequest, "validation");
        await AssertNoBindingsAsync();
    }

    [Theory]
    [InlineData("user:nobody@example.com", "sqlEditorUser")]
    [InlineData("dev@example.com", "sqlEditorUser")]
    [InlineData("user:dev@example.com", "superuser")]
    [InlineData(null, "sqlEditorUser")]
    public async Task Unknown_principals_and_roles_are_400(string? principal, string role)
    {
        var response = await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal, role, duration = "PT1H" });
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        await AssertNoBindingsAsync();
    }

    [Fact]
    public async Task Query_input_is_checked()
    {
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });
        var huge = "select 1 -- " + new string('x', 1024 * 1024);
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", huge), HttpStatusCode.BadRequest, "statement-too-long");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "selec * form salary"), HttpStatusCode.BadRequest, "invalid-statement");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from no_such_table"), HttpStatusCode.BadRequest, "invalid-statement");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "   "), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select 1", maxRows: 0), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select 1", maxRows: 1_000_000), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await _dev.QueryAsync("nope", "select 1"), HttpStatusCode.NotFound, "not-found");
        var wrongType = await _dev.Http.PostAsync("/api/v1/query", new StringContent("{\"database\": \"hr_prod\", \"statement\": 1}", Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(wrongType, HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task Unknown_routes_and_missing_tokens_are_problems_too()
    {
        await Api.ProblemAsync(await _admin.Http.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound, "not-found");
        using var anonymous = _app.CreateClient();
        await Api.ProblemAsync(await anonymous.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "jg_forged");
        await Api.ProblemAsync(await anonymous.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    // The first admin owns the sample project from signup on; a refused body must have added nothing beside it.
    private async Task AssertNoBindingsAsync() =>
        Assert.Equal(["user:admin@example.com"], (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Select(b => b!["principal"]!.GetValue<string>()));
}
