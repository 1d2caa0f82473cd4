using System.Net;
using System.Net.Http.Headers;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Authorization;

/// <summary>Cells of the authorization matrix that were wrong once, with what the caller notices beyond the status.</summary>
public sealed class AccessBoundaryTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync() => _admin = await Api.SignupAdminAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_service_account_token_cannot_mint_itself_a_longer_lived_token()
    {
        var account = await _admin.PostOkAsync("/api/v1/service-accounts", new { name = "Deploy Bot", duration = "P1D" });
        var bot = new Api(_app.CreateClient());
        bot.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", account["token"]!.GetValue<string>());

        await Api.ProblemAsync(await bot.PostAsync("/api/v1/me/tokens", new { name = "forever", duration = "P366D" }), HttpStatusCode.Forbidden, "forbidden");

        var listed = (await _admin.GetOkAsync("/api/v1/service-accounts")).AsArray().Single()!;
        Assert.Equal("initial", Assert.Single(listed["tokens"]!.AsArray())!["name"]!.GetValue<string>());
        // The admin still issues the account more tokens, and a person still makes their own.
        await _admin.PostOkAsync($"/api/v1/service-accounts/{listed["id"]}/tokens", new { name = "second", duration = "P7D" });
        await _admin.PostOkAsync("/api/v1/me/tokens", new { name = "mine" });
    }

    [Fact]
    public async Task A_dba_grants_in_a_project_but_does_not_choose_where_its_events_go()
    {
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        await using var receiver = await Receiver.StartAsync();

        await Api.ProblemAsync(await dba.PostAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = receiver.Url + "/dba" }),
            HttpStatusCode.Forbidden, "forbidden");
        await Api.ProblemAsync(await dba.Http.GetAsync("/api/v1/projects/sample/webhooks"), HttpStatusCode.Forbidden, "forbidden");
        Assert.Empty((await _admin.GetOkAsync("/api/v1/projects/sample/webhooks")).AsArray());

        // Granting access in the project stays the DBA's.
        await _admin.CreateUserAsync(_app, "dev@example.com");
        await dba.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }
}
