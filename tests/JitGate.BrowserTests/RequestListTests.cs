using System.Net.Http.Json;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>The request list with more requests than one page holds.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RequestListTests(BrowserFixture browser) : IAsyncLifetime
{
    private const int Requests = 130;
    private readonly ConsoleApp _app = new();

    public async Task InitializeAsync()
    {
        _app.Start();
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        using var admin = await _app.ApiAsync("admin@example.com", Pages.Password);
        (await admin.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = Pages.Password })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
        using var dev = await _app.ApiAsync("dev@example.com", Pages.Password);
        for (var i = 1; i <= Requests; i++)
        {
            (await dev.PostAsJsonAsync("/api/v1/projects/sample/access-requests", new
            {
                role = "sqlEditorUser", duration = "PT1H", reason = $"Incident {i}", scope = new { databases = new[] { "hr_prod" } },
            })).EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Older_requests_are_a_click_away_and_every_one_is_listed_once()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "dev@example.com");
            await Pages.OpenAsync(page, "/requests?filter=mine");
            var rows = page.GetByTestId("request-row");
            await Expect(rows).ToHaveCountAsync(100);
            var more = page.GetByTestId("requests-more");
            await more.ScrollIntoViewIfNeededAsync();
            await Pages.ShotAsync(page, "requests-01-first-page");

            await more.ClickAsync();
            await Expect(rows).ToHaveCountAsync(Requests);
            await Expect(more).ToHaveCountAsync(0);
            var ids = (await rows.EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.id))")).ToList();
            Assert.Equal(Requests, ids.Distinct().Count());
            Assert.Equal(ids.OrderDescending(), ids);

            // The project's own list pages the same way.
            await Pages.OpenAsync(page, "/projects/sample/requests");
            await Expect(rows).ToHaveCountAsync(100);
            await page.GetByTestId("requests-more").ClickAsync();
            await Expect(rows).ToHaveCountAsync(Requests);
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
