using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>Text from users and from databases is shown as text: markup in it is neither rendered nor run.</summary>
[Collection(BrowserCollection.Name)]
public sealed class InjectionTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Payload = "<img src=x onerror=alert(1)>";
    private readonly ConsoleApp _app = new();

    public Task InitializeAsync()
    {
        _app.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Markup_in_a_result_cell_and_in_a_reason_is_shown_as_text()
    {
        using var signup = new HttpClient { BaseAddress = _app.BaseAddress };
        (await signup.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        using var api = await _app.ApiAsync("admin@example.com", Pages.Password);
        (await api.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "PT1H" })).EnsureSuccessStatusCode();
        var created = await api.PostAsJsonAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = Payload });
        created.EnsureSuccessStatusCode();
        var requestId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        var page = await browser.NewPageAsync(_app.BaseAddress);
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            dialogs++;
            await dialog.DismissAsync();
        };
        try
        {
            await Pages.LoginAsync(page, "admin@example.com");
            await Pages.OpenAsync(page, "/sql-editor?database=hr_test");
            await Pages.SetSqlAsync(page, $"select '{Payload}' as html");
            await page.GetByTestId("run").ClickAsync();
            var grid = page.GetByTestId("result-grid");
            await Expect(grid.Locator("td")).ToHaveTextAsync(Payload);
            await Expect(grid.Locator("img")).ToHaveCountAsync(0);
            await Pages.ShotAsync(page, "20-injection-result-cell");

            await Pages.OpenAsync(page, $"/requests/{requestId}");
            await Expect(page.GetByTestId("request-reason-text")).ToHaveTextAsync(Payload);
            await Expect(page.GetByTestId("timeline")).ToContainTextAsync(Payload);
            await Expect(page.Locator("main img, .mud-main-content img")).ToHaveCountAsync(0);
            await Pages.ShotAsync(page, "21-injection-reason");
            Assert.Equal(0, dialogs);
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
