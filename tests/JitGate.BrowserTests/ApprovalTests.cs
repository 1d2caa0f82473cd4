using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>
/// No dead ends around approval: a step no one can approve is said before sending, while waiting and to
/// admins, with the one click that fixes it; an empty flow is a confirmed choice; ended access reads as ended.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ApprovalTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _app.Start();
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        _admin = await _app.ApiAsync("admin@example.com", Pages.Password);
        (await _admin.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = Pages.Password })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_project_without_owner_is_said_before_sending_while_waiting_and_to_admins_and_one_click_fixes_it()
    {
        // The first admin owns the sample; without that ownership the default step has no one.
        var owner = (await _admin.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/bindings"))!.Single(b => b!["role"]!.GetValue<string>() == "projectOwner")!;
        (await _admin.DeleteAsync($"/api/v1/projects/sample/bindings/{owner["id"]}")).EnsureSuccessStatusCode();

        var dev = await browser.NewPageAsync(_app.BaseAddress);
        var admin = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            // Before sending: the dialog says no one could approve it.
            await Pages.LoginAsync(dev, "dev@example.com");
            await Pages.OpenAsync(dev, "/projects/sample/databases");
            await dev.GetByTestId("db-row-hr_prod").GetByTestId("request-access").ClickAsync();
            var dialog = dev.GetByTestId("request-dialog");
            await Pages.Field(dialog, "request-reason").FillAsync("Incident 7");
            await Expect(dialog.GetByTestId("no-approver")).ToContainTextAsync("Sample Project has no Project Owner");
            await Expect(dialog.GetByTestId("become-owner")).ToHaveCountAsync(0);
            await Pages.ShotAsync(dev, "approval-01-dialog-no-owner");
            await dev.GetByTestId("request-submit").ClickAsync();

            // While it waits: the request page says so, not "Waiting for a project owner".
            await Expect(dev.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "pendingApproval");
            await Expect(dev.GetByTestId("no-approver")).ToContainTextAsync("No one can approve the Project Owner step");
            await Expect(dev.GetByTestId("no-approver")).ToContainTextAsync("Ask a workspace admin");
            var requestUrl = dev.Url;

            // To admins: the members page and the request page offer the one click.
            await Pages.LoginAsync(admin, "admin@example.com");
            await Pages.OpenAsync(admin, "/projects/sample/members");
            await Expect(admin.GetByTestId("no-approver")).ToContainTextAsync("Sample Project has no Project Owner");
            await Pages.OpenAsync(admin, new Uri(requestUrl).PathAndQuery);
            await Expect(admin.GetByTestId("approve")).ToHaveCountAsync(0);
            await Pages.ShotAsync(admin, "approval-02-request-no-owner");
            await admin.GetByTestId("become-owner").ClickAsync();
            await Expect(admin.GetByTestId("no-approver")).ToHaveCountAsync(0);
            await admin.GetByTestId("approve").ClickAsync();
            await Expect(admin.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "approved");

            // The developer's open page follows, and shows the end of the access once revoked, with who and when.
            await Expect(dev.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "approved");
            await Expect(dev.GetByTestId("request-expiration")).ToContainTextAsync("Access until 2026-11-24 12:00 UTC");
            _app.Clock.Advance(TimeSpan.FromMinutes(30));
            await Pages.OpenAsync(admin, "/projects/sample/members");
            await admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]").GetByTestId("revoke").ClickAsync();
            await admin.GetByTestId("revoke-confirm").ClickAsync();
            await Expect(dev.GetByTestId("access-ended")).ToHaveTextAsync("Access revoked by admin@example.com at 2026-11-24 08:30 UTC");
            await Expect(dev.Locator("[data-testid=timeline-entry][data-kind=revoked]")).ToContainTextAsync("admin@example.com revoked the access");
            await Pages.ShotAsync(dev, "approval-03-revoked-request");

            // Members, with ended access shown: revoked, by whom, not "in 4 h".
            await admin.GetByTestId("show-ended").ClickAsync();
            var ended = admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-status=revoked]");
            await Expect(ended.GetByTestId("binding-expiry")).ToContainTextAsync("Revoked 2026-11-24 08:30 UTC");
            await Expect(ended.GetByTestId("binding-expiry")).ToContainTextAsync("by admin@example.com");
            await Expect(ended.GetByTestId("binding-expiry")).Not.ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\bin \d"));
        }
        catch
        {
            await Pages.ShotFailureAsync([dev, admin]);
            throw;
        }
    }

    [Fact]
    public async Task An_empty_flow_is_confirmed_and_then_shown_as_auto_approved()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "admin@example.com");
            await Pages.OpenAsync(page, "/settings/approval-flows");
            var low = page.GetByTestId("flow-low");
            // Turned on, a flow starts with the default step, not with "approved at once".
            await low.GetByTestId("flow-configured").ClickAsync();
            await Expect(low.GetByTestId("flow-step")).ToHaveTextAsync(["1. Project Owner"]);
            await Expect(low.GetByTestId("flow-auto")).ToHaveCountAsync(0);
            await low.GetByTestId("flow-step").Locator(".mud-chip-close-button, button").Last.ClickAsync();
            await Expect(low.GetByTestId("flow-auto")).ToContainTextAsync("saving approves requests at this level at once");

            // Saving asks first; Back saves nothing.
            await page.GetByTestId("save-flows").ClickAsync();
            await Expect(page.GetByTestId("confirm-empty-save")).ToBeVisibleAsync();
            await page.WaitForTimeoutAsync(400); // the dialog's opening animation
            await Pages.ShotAsync(page, "approval-04-confirm-empty-flow");
            await page.GetByTestId("confirm-empty-cancel").ClickAsync();
            var flows = await _admin.GetFromJsonAsync<JsonArray>("/api/v1/settings/approval-flows");
            Assert.Empty(flows!);

            await page.GetByTestId("save-flows").ClickAsync();
            await page.GetByTestId("confirm-empty-save").ClickAsync();
            await Expect(page.Locator(".mud-snackbar", new() { HasText = "Approval flows saved" })).ToHaveCountAsync(1);
            await Pages.OpenAsync(page, "/settings/approval-flows");
            await Expect(page.GetByTestId("flow-low").GetByTestId("flow-auto")).ToContainTextAsync("Auto-approved");
            flows = await _admin.GetFromJsonAsync<JsonArray>("/api/v1/settings/approval-flows");
            Assert.True(flows!.Single()!["autoApprove"]!.GetValue<bool>());
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
