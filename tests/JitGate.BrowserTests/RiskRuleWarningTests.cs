using System.Net.Http.Json;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>The risk rules page shows, next to a rule and as it is typed, why its condition can never match.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RiskRuleWarningTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();

    public async Task InitializeAsync()
    {
        _app.Start();
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_literal_that_never_matches_is_shown_as_a_warning_next_to_its_rule()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "admin@example.com");
            await Pages.OpenAsync(page, "/settings/risk-rules");
            await page.GetByTestId("add-rule").ClickAsync();
            await Pages.Field(page, "rule-title").FillAsync("Prod access");
            await Pages.Field(page, "rule-condition").FillAsync("resource.environment_id == \"Prod\" && request.expiration_days > 30");
            // Before anything is saved: the rule would save silently and never match.
            await Expect(page.GetByTestId("rule").Nth(0).GetByTestId("rule-warning")).ToContainTextAsync("Did you mean \"prod\"?");
            await page.GetByTestId("add-rule").ClickAsync();
            await Pages.Field(page.GetByTestId("rule").Nth(1), "rule-title").FillAsync("Salary table");
            await Pages.Field(page.GetByTestId("rule").Nth(1), "rule-condition").FillAsync("\"salary\" in table_names");
            await page.GetByTestId("save-rules").ClickAsync();

            var rules = page.GetByTestId("rule");
            await Expect(rules.Nth(0).GetByTestId("rule-warning")).ToContainTextAsync("Did you mean \"prod\"?");
            await Expect(rules.Nth(1).GetByTestId("rule-warning")).ToHaveCountAsync(0);
            await Expect(page.Locator(".mud-snackbar", new() { HasText = "1 with warnings" })).ToHaveCountAsync(1);

            // Loaded again, the warning is still there; correcting the condition clears it at once.
            await Pages.OpenAsync(page, "/settings/risk-rules");
            await Expect(page.GetByTestId("rule").Nth(0).GetByTestId("rule-warning")).ToContainTextAsync("resource.environment_id is never \"Prod\"");
            await Pages.ShotAsync(page, "12-risk-rule-warning");
            await Pages.Field(page.GetByTestId("rule").Nth(0), "rule-condition").FillAsync("resource.environment_id == \"prod\" && request.expiration_days > 30");
            await Expect(page.GetByTestId("rule-warning")).ToHaveCountAsync(0);
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
