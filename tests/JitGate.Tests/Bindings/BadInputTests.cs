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
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": ")]
    [InlineData("not json at all")]
    [InlineData("{\"principal\": 42, \"role\": \"sqlEditorUser\"}")]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"expiresAt\": \"tomorrow\"}")]
    [InlineData("{\"principal\": \"user:dev@example.com\", \"role\": \"sqlEditorUser\", \"scope\": {\"databases\": \"hr_prod\"}}")]
    [InlineData("[]")]
    public async Task Malformed_or_mistyped_json_is_400(string body)
    {
        var response = await _admin.Http.PostAsync("/api/v1/projects/sample/bindings", new StringContent(body, Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request");
        await AssertNoBindingsAsync();
    }

    [Theory]
    [InlineData("P100Y")]
    [InlineData("-PT1H")]
    [InlineData("PT0S")]
    [InlineData("four hours")]
    [InlineData("P99999999999Y")]
    public async Task Durations_over_the_maximum_negative_or_unreadable_are_400(string duration)
    {
        var response = await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration });
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        await AssertNoBindingsAsync();
    }

    [Fact]
    public async Task An_expiry_in_the_past_or_beyond_the_maximum_is_400()
    {
        foreach (var expiresAt in new[] { JitGateApp.Start.AddMinutes(-1), JitGateApp.Start, JitGateApp.Start.AddDays(400) })
        {
            var response = await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", expiresAt });
            await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
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

    private async Task AssertNoBindingsAsync() => Assert.Empty((await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray());
}
