using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>The console on a phone-sized window, and driven by the keyboard alone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NarrowAndKeyboardTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();
    private long _requestId;

    public async Task InitializeAsync()
    {
        _app.Start();
        // What these tests are not about is prepared over the API: an admin, a developer with
        // hr_test readable, and one pending request for hr_prod.
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        using var admin = await _app.ApiAsync("admin@example.com", Pages.Password);
        (await admin.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = Pages.Password })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = new[] { "hr_test" } }, reason = "on-call",
        })).EnsureSuccessStatusCode();
        using var dev = await _app.ApiAsync("dev@example.com", Pages.Password);
        var request = await dev.PostAsJsonAsync("/api/v1/projects/sample/access-requests", new
        {
            role = "sqlEditorUser", duration = "PT4H", reason = "Incident 42: the salary report is wrong",
            scope = new { tables = new[] { new { database = "hr_prod", table = "employee" }, new { database = "hr_prod", table = "salary" } } },
        });
        request.EnsureSuccessStatusCode();
        _requestId = (await request.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_phone_sized_window_shows_every_page_without_sideways_scrolling()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress, 390, 844);
        try
        {
            await Pages.LoginAsync(page, "dev@example.com");
            await AssertNoSidewaysScrollAsync(page);

            // The navigation is behind the menu button and out of the way until asked for.
            var menu = page.GetByTestId("nav-toggle");
            await Expect(menu).ToBeVisibleAsync();
            await Expect(page.Locator(".mud-navmenu a[href='/projects/sample/databases']")).Not.ToBeInViewportAsync();
            await menu.ClickAsync();
            await Expect(page.Locator(".mud-navmenu a[href='/projects/sample/databases']")).ToBeInViewportAsync();
            await Pages.ShotAsync(page, "narrow-01-menu");
            await page.Locator(".mud-navmenu a[href='/projects/sample/databases']").ClickAsync();
            await Expect(page.GetByTestId("db-row-hr_prod")).ToBeVisibleAsync();
            await Expect(page.Locator(".mud-navmenu a[href='/projects/sample/databases']")).Not.ToBeInViewportAsync();
            await AssertNoSidewaysScrollAsync(page);
            await Pages.ShotAsync(page, "narrow-02-databases");

            // The request dialog fits the window and its buttons can be reached.
            await page.GetByTestId("db-row-hr_prod").GetByTestId("request-access").ClickAsync();
            var dialog = page.GetByTestId("request-dialog");
            await Expect(dialog.GetByTestId("preview-risk")).ToBeVisibleAsync();
            await AssertInsideWindowAsync(page, dialog);
            await page.WaitForTimeoutAsync(400); // the dialog's opening animation
            await Pages.ShotAsync(page, "narrow-03-request-dialog");
            await page.GetByTestId("request-cancel").ClickAsync();
            await Expect(dialog).ToHaveCountAsync(0);

            await Pages.OpenAsync(page, "/sql-editor?database=hr_test");
            await Expect(page.GetByTestId("editor-db")).ToHaveTextAsync("hr_test");
            await Pages.SetSqlAsync(page, "select emp_no, first_name, last_name, birth_date, hire_date, gender from employee order by emp_no limit 5");
            await page.GetByTestId("run").ClickAsync();
            await Expect(page.GetByTestId("result-summary")).ToContainTextAsync("5 rows");
            await AssertNoSidewaysScrollAsync(page);
            await Pages.ShotAsync(page, "narrow-04-sql-editor");
            await page.GetByTestId("result-grid").ScrollIntoViewIfNeededAsync();
            await Pages.ShotAsync(page, "narrow-05-sql-result");

            await Pages.OpenAsync(page, $"/requests/{_requestId}");
            await Expect(page.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "pendingApproval");
            await AssertNoSidewaysScrollAsync(page);
            await Pages.ShotAsync(page, "narrow-06-request");

            await Pages.OpenAsync(page, "/requests");
            await page.GetByTestId("request-filter").GetByText("Mine").ClickAsync();
            await Expect(page.GetByTestId("request-row").First).ToBeVisibleAsync();
            await AssertNoSidewaysScrollAsync(page);
            await page.WaitForTimeoutAsync(400); // the toggle's transition
            await Pages.ShotAsync(page, "narrow-07-requests");

            await Pages.OpenAsync(page, "/projects/sample/members");
            await Expect(page.GetByTestId("binding-row").First).ToBeVisibleAsync();
            await AssertNoSidewaysScrollAsync(page);
            await Pages.ShotAsync(page, "narrow-08-members");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task On_a_phone_the_members_list_keeps_expiry_and_revoke_in_view_and_times_follow_the_browsers_zone()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress, 390, 844, timeZone: "Europe/Paris");
        try
        {
            await Pages.LoginAsync(page, "admin@example.com");
            await Pages.OpenAsync(page, "/projects/sample/members");
            var grant = page.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]");
            // The grant ends at 08:00 UTC, 09:00 in Paris; UTC shows on hover.
            var expiry = grant.GetByTestId("binding-expiry");
            await Expect(expiry).ToContainTextAsync("2026-11-25 09:00 UTC+1");
            await Expect(expiry.Locator(".jg-time")).ToHaveAttributeAsync("title", "2026-11-25 08:00:00 UTC");
            await Expect(expiry).ToBeInViewportAsync();
            await Expect(grant.GetByTestId("revoke")).ToBeInViewportAsync();
            await AssertNoSidewaysScrollAsync(page);
            await Pages.ShotAsync(page, "narrow-09-members-admin");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task Sign_in_and_a_query_need_only_the_keyboard()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await page.GotoAsync("/login");
            await TabToAsync(page, "#email");
            await page.Keyboard.TypeAsync("dev@example.com");
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(Pages.Password);
            await page.Keyboard.PressAsync("Enter");
            await page.GetByTestId("user-chip").WaitForAsync();

            // Reach the SQL Editor link with Tab; where the focus is must be visible.
            var link = page.Locator(".mud-navmenu a[href='/sql-editor']");
            await TabToAsync(page, ".mud-navmenu a[href='/sql-editor']");
            var outline = await link.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle");
            Assert.NotEqual("none", outline);
            await Pages.ShotAsync(page, "keyboard-01-focus-visible");
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByTestId("editor-db")).ToHaveTextAsync("hr_test");

            // Into the editor with Tab, then Ctrl+Enter runs what it holds.
            await page.Locator(".monaco-editor").First.WaitForAsync();
            await TabToAsync(page, ".monaco-editor textarea");
            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.TypeAsync("select emp_no from employee order by emp_no limit 3");
            await page.Keyboard.PressAsync("Control+Enter");
            await Expect(page.GetByTestId("result-summary")).ToContainTextAsync("3 rows");
            await Pages.ShotAsync(page, "keyboard-02-ctrl-enter");

            // The query is in the history after a reload, and re-runs from there with the keyboard.
            await page.ReloadAsync();
            await page.GetByTestId("user-chip").WaitForAsync();
            var entry = page.GetByTestId("history-entry").First;
            await Expect(entry).ToContainTextAsync("select emp_no from employee order by emp_no limit 3");
            await Expect(entry).ToContainTextAsync("3 rows");
            await Pages.Field(page, "history-search").FillAsync("no such statement");
            await Expect(page.GetByTestId("history-empty")).ToBeVisibleAsync();
            await Pages.Field(page, "history-search").FillAsync("LIMIT 3");
            await Expect(page.GetByTestId("history-entry")).ToHaveCountAsync(1);
            await TabToAsync(page, "[data-testid=history-rerun]");
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByTestId("result-summary")).ToContainTextAsync("3 rows");
            await Expect(page.GetByTestId("history-entry")).ToHaveCountAsync(2);
            await Pages.ShotAsync(page, "keyboard-03-history");

            // A dialog's buttons are reached with Tab, and Enter presses them.
            await Pages.OpenAsync(page, "/projects/sample/databases");
            await TabToAsync(page, "[data-testid=db-row-hr_prod] [data-testid=request-access]");
            await page.Keyboard.PressAsync("Enter");
            var dialog = page.GetByTestId("request-dialog");
            await Expect(dialog.GetByTestId("preview-risk")).ToBeVisibleAsync();
            await TabToAsync(page, "[data-testid=request-cancel]");
            await Pages.ShotAsync(page, "keyboard-04-dialog-button");
            await page.Keyboard.PressAsync("Enter");
            await Expect(dialog).ToHaveCountAsync(0);
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    /// <summary>Presses Tab until the element matching the selector has the focus.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 80; i++)
        {
            if (await page.EvaluateAsync<bool>("s => { const a = document.activeElement; return !!a && a.matches(s); }", selector)) return;
            await page.Keyboard.PressAsync("Tab");
        }
        var at = await page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : 'nothing'");
        Assert.Fail($"Tab never reached {selector}; the focus is on {at}");
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        var (scroll, inner) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scroll <= inner, $"{page.Url}: the page is {scroll} px wide in a {inner} px window");
    }

    private static async Task AssertInsideWindowAsync(IPage page, ILocator locator)
    {
        var box = await locator.Locator(".mud-dialog").Or(locator).First.BoundingBoxAsync();
        var width = await page.EvaluateAsync<int>("() => window.innerWidth");
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= width, $"the dialog spans {box.X}..{box.X + box.Width} in a {width} px window");
    }
}
