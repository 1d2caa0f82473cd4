using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>The SQL editor as a Bytebase user expects it: kept tabs, several statements, Cancel, and results to work with.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EditorTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();

    public async Task InitializeAsync()
    {
        _app.Start();
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        using var admin = await _app.ApiAsync("admin@example.com", Pages.Password);
        (await admin.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = Pages.Password })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D",
            scope = new { databases = new[] { "hr_test" }, tables = new[] { new { database = "hr_prod", table = "employee" } } },
        })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Tabs_statement_and_database_survive_a_reload()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "dev@example.com");
            await Pages.OpenAsync(page, "/sql-editor");
            await page.GetByTestId("tree-db-hr_prod").Locator(".jg-db-name").ClickAsync();
            await Expect(page.GetByTestId("editor-db")).ToHaveTextAsync("hr_prod");
            await Pages.SetSqlAsync(page, "select first_name from employee where emp_no = 10001");
            await page.GetByTestId("sheet-add").ClickAsync();
            await Expect(page.GetByTestId("sheet-tab")).ToHaveCountAsync(2);
            await page.GetByTestId("tree-db-hr_test").Locator(".jg-db-name").ClickAsync();
            await Pages.SetSqlAsync(page, "select count(*) from department");
            // Clicking a table inserts its name where the cursor is.
            await page.GetByTestId("tree-db-hr_test").GetByTestId("tree-expand").ClickAsync();
            await page.EvaluateAsync("() => { const e = monaco.editor.getEditors()[0]; e.setPosition({ lineNumber: 1, column: 999 }); e.focus(); }");
            await page.GetByTestId("tree-table-hr_test-title").GetByTestId("tree-table-name").ClickAsync();
            await page.WaitForFunctionAsync("() => monaco.editor.getEditors()[0].getValue() === 'select count(*) from departmenttitle'");
            await Pages.SetSqlAsync(page, "select count(*) from department");
            await page.WaitForTimeoutAsync(300); // the editor saves what is typed after a short pause, as a person types

            await page.ReloadAsync();
            await page.GetByTestId("user-chip").WaitForAsync();
            await Expect(page.GetByTestId("sheet-tab")).ToHaveTextAsync(["Query 1", "Query 2"]);
            await Expect(page.GetByTestId("editor-db")).ToHaveTextAsync("hr_test");
            await page.WaitForFunctionAsync("() => window.monaco && monaco.editor.getEditors().some(e => e.getValue() === 'select count(*) from department')");
            await page.GetByTestId("sheet-tab").First.ClickAsync();
            await Expect(page.GetByTestId("editor-db")).ToHaveTextAsync("hr_prod");
            await page.WaitForFunctionAsync("() => monaco.editor.getEditors().some(e => e.getValue() === 'select first_name from employee where emp_no = 10001')");
            await Pages.ShotAsync(page, "editor-01-tabs-after-reload");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task Several_statements_run_one_after_another_each_checked_with_its_own_result()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "dev@example.com");
            await Pages.OpenAsync(page, "/sql-editor?database=hr_prod");
            await Pages.SetSqlAsync(page, "select count(*) as n from employee;\nselect 'a;b' as text;\nselect * from department;");
            await page.GetByTestId("run").ClickAsync();
            var tabs = page.GetByTestId("result-tabs").Locator(".mud-tab");
            await Expect(tabs).ToHaveTextAsync(["1 · 1 row", "2 · 1 row", "3 · denied"]);
            await Expect(page.GetByTestId("result-summary")).ToContainTextAsync("1 row");
            await tabs.Nth(2).ClickAsync();
            await Expect(page.GetByTestId("denied-tables")).ToHaveTextAsync("department");
            await Pages.ShotAsync(page, "editor-02-several-statements");
            // Each is in the audit trail on its own: three history entries, the last denied.
            await Expect(page.GetByTestId("history-entry")).ToHaveCountAsync(3);
            await Expect(page.GetByTestId("history-entry").First).ToHaveAttributeAsync("data-outcome", "denied");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task Cancel_stops_a_running_query_on_the_database()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "dev@example.com");
            await Pages.OpenAsync(page, "/sql-editor?database=hr_test");
            await Pages.SetSqlAsync(page, "select count(*) from employee a, employee b, employee c");
            await page.GetByTestId("run").ClickAsync();
            await Expect(page.GetByTestId("cancel-query")).ToBeVisibleAsync();
            await Pages.ShotAsync(page, "editor-03-running");
            await page.GetByTestId("cancel-query").ClickAsync();
            await Expect(page.GetByTestId("query-canceled")).ToContainTextAsync("the database stopped the statement");
            await Expect(page.GetByTestId("run")).ToBeEnabledAsync();
            await Expect(page.GetByTestId("history-entry").First).ToContainTextAsync("canceled");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task Results_have_a_row_limit_up_to_the_maximum_a_sticky_header_and_copy_as_json()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
            await Pages.LoginAsync(page, "dev@example.com");
            await Pages.OpenAsync(page, "/sql-editor?database=hr_test");
            await Pages.ChooseAsync(page, "row-limit", "100");
            await Pages.SetSqlAsync(page, "select emp_no, first_name, last_name, birth_date from employee order by emp_no");
            await page.GetByTestId("run").ClickAsync();
            await Expect(page.GetByTestId("result-summary")).ToContainTextAsync("100 rows");
            await Expect(page.GetByTestId("result-truncated")).ToContainTextAsync("raise the row limit");

            var header = page.GetByTestId("result-grid").Locator("th").First;
            Assert.Equal("sticky", await header.EvaluateAsync<string>("e => getComputedStyle(e).position"));
            await page.GetByTestId("result-scroll").EvaluateAsync("e => e.scrollTop = 1000");
            await Expect(header).ToBeInViewportAsync();
            // A column is as wide as its content: emp_no stays narrow.
            Assert.True(await header.EvaluateAsync<double>("e => e.getBoundingClientRect().width") < 120);
            await Pages.ShotAsync(page, "editor-04-results");

            await page.GetByTestId("copy-json").ClickAsync();
            // The copy goes through the server and the browser's clipboard; the confirmation says it is done.
            await Expect(page.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Copied 100 rows as JSON" })).ToBeVisibleAsync();
            var copied = JsonNode.Parse(await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"))!.AsArray();
            Assert.Equal(100, copied.Count);
            Assert.Equal(10001, copied[0]!["emp_no"]!.GetValue<long>());

            await Pages.ChooseAsync(page, "row-limit", "10,000");
            await page.GetByTestId("run").ClickAsync();
            await Expect(page.GetByTestId("result-summary")).ToContainTextAsync("1000 rows");
            await Expect(page.GetByTestId("result-truncated")).ToHaveCountAsync(0);
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task An_unknown_address_shows_the_consoles_own_page()
    {
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(page, "dev@example.com");
            var response = await page.GotoAsync("/projects/sample/nothing-here");
            Assert.Equal(404, response!.Status);
            await Expect(page.GetByTestId("not-found")).ToContainTextAsync("Nothing here");
            await Expect(page.GetByTestId("user-chip")).ToBeVisibleAsync();
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
