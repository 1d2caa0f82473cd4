using System.Net.Http.Json;
using System.Text.RegularExpressions;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>Changing what exists: a binding's expiry and reason, a group's members, and revoking with a confirmation.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminEditingTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();

    public async Task InitializeAsync()
    {
        _app.Start();
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        using var admin = await _app.ApiAsync("admin@example.com", Pages.Password);
        foreach (var email in new[] { "dev@example.com", "ops@example.com" })
        {
            (await admin.PostAsJsonAsync("/api/v1/users", new { email, name = email.Split('@')[0], password = Pages.Password })).EnsureSuccessStatusCode();
        }
        (await admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { "hr_prod" } }, reason = "incident 42",
        })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/groups", new { email = "oncall@example.com", name = "On-call", members = new[] { "dev@example.com" } })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_admin_extends_a_grant_edits_a_group_and_confirms_a_revoke()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "admin@example.com");

            // Members: the one-hour grant becomes seven days, with a new reason.
            await Pages.OpenAsync(page, "/projects/sample/members");
            var row = page.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]");
            await Expect(row.GetByTestId("binding-expiry")).ToContainTextAsync("2026-11-24 09:00 UTC");
            await row.GetByTestId("edit-binding").ClickAsync();
            var dialog = page.GetByTestId("edit-binding-dialog");
            await Expect(Pages.Field(dialog, "edit-binding-reason")).ToHaveValueAsync("incident 42");
            await page.GetByTestId("expiry-P7D").ClickAsync();
            await Pages.Field(dialog, "edit-binding-reason").FillAsync("incident 42, follow-up week");
            await page.WaitForTimeoutAsync(400); // the dialog's opening animation
            await Pages.ShotAsync(page, "edit-01-binding-dialog");
            await page.GetByTestId("edit-binding-save").ClickAsync();
            await Expect(row.GetByTestId("binding-expiry")).ToContainTextAsync("2026-12-01 08:00 UTC");
            await Expect(row).ToContainTextAsync("incident 42, follow-up week");
            await Pages.ShotAsync(page, "edit-02-binding-extended");

            // The workspace maximum holds in the console too.
            await row.GetByTestId("edit-binding").ClickAsync();
            await page.GetByTestId("expiry-relative").ClickAsync();
            await Pages.Field(page, "expiry-amount").FillAsync("40");
            await Pages.ChooseAsync(page, "expiry-unit", "days");
            await page.GetByTestId("edit-binding-save").ClickAsync();
            await Expect(page.GetByTestId("edit-binding-error")).ToContainTextAsync("at most");
            await page.Keyboard.PressAsync("Escape");
            await Expect(row.GetByTestId("binding-expiry")).ToContainTextAsync("2026-12-01 08:00 UTC");

            // Users & Groups: ops joins the on-call group.
            await Pages.OpenAsync(page, "/admin/users");
            var group = page.Locator("[data-testid=group-row][data-email='oncall@example.com']");
            await Expect(group.GetByTestId("group-members")).ToHaveTextAsync("dev@example.com");
            await group.GetByTestId("edit-group-members").ClickAsync();
            await page.GetByTestId("group-members-select").ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex("^\\s*ops@example.com\\s*$") }).ClickAsync();
            await page.GetByText("Members hold what the group is granted").ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item").First.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
            await page.WaitForTimeoutAsync(400); // the dialog's opening animation
            await Pages.ShotAsync(page, "edit-03-group-members");
            await page.GetByTestId("group-members-save").ClickAsync();
            await Expect(group.GetByTestId("group-members")).ToHaveTextAsync("dev@example.com, ops@example.com");

            // Removing a role chip asks first; Cancel keeps it, Revoke removes it.
            var devRow = page.Locator("[data-testid=user-row][data-email='dev@example.com']");
            var chip = devRow.GetByTestId("workspace-binding");
            await chip.Locator(".mud-chip-close-button, button").Last.ClickAsync();
            await Expect(page.GetByTestId("revoke-confirm")).ToBeVisibleAsync();
            await page.WaitForTimeoutAsync(400); // the dialog's opening animation
            await Pages.ShotAsync(page, "edit-04-revoke-confirm");
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Expect(chip).ToHaveCountAsync(1);
            await chip.Locator(".mud-chip-close-button, button").Last.ClickAsync();
            await page.GetByTestId("revoke-confirm").ClickAsync();
            await Expect(chip).ToHaveCountAsync(0);
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
