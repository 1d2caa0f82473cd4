using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>The user story, click by click in Chromium: grant, query, revoke, then request and approve just-in-time access.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StoryTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();

    public Task InitializeAsync()
    {
        _app.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Developer_gets_temporary_access_by_grant_and_by_approved_request()
    {
        var pages = new List<IPage>();
        try
        {
            await StoryAsync(pages);
        }
        catch
        {
            await Pages.ShotFailureAsync(pages);
            throw;
        }
    }

    private async Task StoryAsync(List<IPage> pages)
    {
        // Step 1: the first user signs up and becomes the workspace admin.
        var admin = await browser.NewPageAsync(_app.BaseAddress);
        pages.Add(admin);
        await admin.GotoAsync("/");
        await Expect(admin).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signup"));
        await admin.Locator("#email").FillAsync("admin@example.com");
        await Pages.ShotAsync(admin, "01-signup");
        await Pages.SignupAsync(admin, "admin@example.com", "Admin");
        await Expect(admin.GetByTestId("project-sample")).ToBeVisibleAsync();
        await Pages.ShotAsync(admin, "02-projects");

        // IAM & Admin > Users & Groups: add the developer as Project Developer in all projects.
        await admin.GetByRole(AriaRole.Link, new() { Name = "Users & Groups" }).ClickAsync();
        await admin.GetByTestId("add-user").ClickAsync();
        await Pages.Field(admin, "new-email").FillAsync("dev@example.com");
        await Pages.Field(admin, "new-name").FillAsync("Dev");
        await Pages.Field(admin, "new-password").FillAsync(Pages.Password);
        await Pages.ChooseAsync(admin, "new-project-role", "Project Developer");
        await Pages.ShotAsync(admin, "03-add-user");
        await admin.GetByTestId("add-user-confirm").ClickAsync();
        var devRow = admin.Locator("[data-testid=user-row][data-email='dev@example.com']");
        await Expect(devRow.GetByTestId("workspace-binding")).ToContainTextAsync("Project Developer");
        await Pages.ShotAsync(admin, "04-users");

        // Step 2: the developer sees hr_prod but cannot query it.
        var dev = await browser.NewPageAsync(_app.BaseAddress);
        pages.Add(dev);
        await Pages.LoginAsync(dev, "dev@example.com");
        await dev.GetByRole(AriaRole.Link, new() { Name = "Databases" }).First.ClickAsync();
        var prodRow = dev.GetByTestId("db-row-hr_prod");
        await Expect(prodRow.GetByTestId("access-none")).ToBeVisibleAsync();
        await Expect(prodRow.GetByTestId("sql-editor-disabled")).ToBeVisibleAsync();
        await Expect(dev.GetByTestId("db-row-hr_test")).ToBeVisibleAsync();
        await Pages.ShotAsync(dev, "05-dev-databases-no-access");
        await dev.GetByTestId("appbar-sql-editor").ClickAsync();
        var prodInTree = dev.GetByTestId("tree-db-hr_prod");
        await Expect(prodInTree).ToHaveAttributeAsync("data-access", "none");
        await Expect(prodInTree.GetByTestId("request-query")).ToBeVisibleAsync();
        await Pages.ShotAsync(dev, "06-sql-editor-greyed");

        // Step 3: the admin grants SQL Editor User for 1 day on the Members page.
        await Pages.OpenAsync(admin, "/projects/sample/members");
        await admin.GetByTestId("grant-access").ClickAsync();
        await Pages.ChooseAsync(admin, "grant-principal", "Dev (dev@example.com)");
        await Pages.ChooseAsync(admin, "grant-role", "SQL Editor User");
        await admin.GetByTestId("expiry-P1D").ClickAsync();
        await Pages.ShotAsync(admin, "07-grant-access");
        await admin.GetByTestId("grant-confirm").ClickAsync();
        var grant = admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]");
        await Expect(grant.GetByTestId("binding-expiry")).ToContainTextAsync("2026-11-25 08:00 UTC");
        await Expect(grant.GetByTestId("binding-expiry")).ToContainTextAsync("in 24 h");
        await Pages.ShotAsync(admin, "08-members-granted");

        // The developer can now query hr_prod.
        await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
        await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "query");
        await Expect(dev.GetByTestId("editor-db")).ToHaveTextAsync("hr_prod");
        await Pages.SetSqlAsync(dev, "select emp_no, first_name, last_name from employee order by emp_no limit 5");
        await Pages.RunWithKeyboardAsync(dev);
        await Pages.ExpectResultAsync(dev, "5 rows");
        await Expect(dev.GetByTestId("result-grid").Locator("th")).ToHaveTextAsync(["emp_no", "first_name", "last_name"]);
        await Pages.ShotAsync(dev, "09-sql-editor-query");

        // Step 4: the admin revokes it; the next query is denied.
        await admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]").GetByTestId("revoke").ClickAsync();
        await admin.GetByTestId("revoke-confirm").ClickAsync();
        await Expect(admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]")).ToHaveCountAsync(0);
        await dev.GetByTestId("run").ClickAsync();
        await Expect(dev.GetByTestId("access-denied")).ToBeVisibleAsync();

        // The admin becomes a Project Owner of Sample Project, to approve requests.
        await admin.GetByTestId("grant-access").ClickAsync();
        await Pages.ChooseAsync(admin, "grant-principal", "Admin (admin@example.com)");
        await Pages.ChooseAsync(admin, "grant-role", "Project Owner");
        await admin.GetByTestId("expiry-never").ClickAsync();
        await admin.GetByTestId("grant-confirm").ClickAsync();
        await Expect(admin.Locator("[data-testid=binding-row][data-principal='admin@example.com'][data-role=projectOwner]")).ToHaveCountAsync(1);

        // Settings: a high risk rule for prod, with the condition checked as it is typed.
        await admin.GetByRole(AriaRole.Link, new() { Name = "Risk rules" }).ClickAsync();
        await admin.GetByTestId("add-rule").ClickAsync();
        await Pages.Field(admin, "rule-title").FillAsync("Prod access");
        var condition = Pages.Field(admin, "rule-condition");
        await condition.FillAsync("environment_id ==");
        await Expect(admin.GetByTestId("rule").First).ToContainTextAsync("position");
        await Pages.ShotAsync(admin, "10-risk-rule-error");
        await condition.FillAsync("environment_id == \"prod\"");
        await Expect(admin.GetByTestId("rule").First).Not.ToContainTextAsync("position");
        await admin.GetByTestId("save-rules").ClickAsync();
        await Expect(admin.Locator(".mud-snackbar", new() { HasText = "Risk rules saved" })).ToHaveCountAsync(1);
        await Pages.OpenAsync(admin, "/settings/risk-rules");
        await Expect(Pages.Field(admin, "rule-condition")).ToHaveValueAsync("environment_id == \"prod\"");
        await Pages.ShotAsync(admin, "11-risk-rules");

        // Approval flow: high risk needs a Project Owner.
        await admin.GetByRole(AriaRole.Link, new() { Name = "Approval flows" }).ClickAsync();
        var high = admin.GetByTestId("flow-high");
        await high.GetByTestId("flow-configured").ClickAsync();
        await high.GetByTestId("flow-add-projectOwner").ClickAsync();
        await Expect(high.GetByTestId("flow-step")).ToHaveTextAsync(["1. Project Owner"]);
        await admin.GetByTestId("save-flows").ClickAsync();
        await Expect(admin.Locator(".mud-snackbar", new() { HasText = "Approval flows saved" })).ToHaveCountAsync(1);
        await Pages.OpenAsync(admin, "/settings/approval-flows");
        await Expect(admin.GetByTestId("flow-high").GetByTestId("flow-step")).ToHaveTextAsync(["1. Project Owner"]);
        await Pages.ShotAsync(admin, "12-approval-flows");

        // The developer requests employee, salary and title from the SQL Editor's denied message.
        await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
        await Pages.SetSqlAsync(dev, "select * from employee limit 5");
        await Pages.RunWithKeyboardAsync(dev);
        await Expect(dev.GetByTestId("denied-tables")).ToHaveTextAsync("employee");
        await dev.GetByTestId("denied-request-access").ClickAsync();
        var dialog = dev.GetByTestId("request-dialog");
        await Expect(dialog.GetByTestId("scope-table-hr_prod-employee").Locator("input")).ToBeCheckedAsync();
        await dialog.GetByTestId("scope-table-hr_prod-salary").ClickAsync();
        await dialog.GetByTestId("scope-table-hr_prod-title").ClickAsync();
        await Pages.Field(dialog, "request-reason").FillAsync("Incident 42: salary report is wrong");
        await Expect(dialog.GetByTestId("preview-risk")).ToHaveTextAsync("high");
        await Expect(dialog.GetByTestId("preview-step")).ToHaveTextAsync(["1. Project Owner"]);
        await dialog.GetByTestId("request-preview").ScrollIntoViewIfNeededAsync();
        await Pages.ShotAsync(dev, "13-request-dialog");
        await dev.GetByTestId("request-submit").ClickAsync();
        await Expect(dev.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "pendingApproval");
        await Expect(dev.GetByTestId("request-scope")).ToContainTextAsync("hr_prod: employee, salary, title");
        await Expect(dev.GetByTestId("cancel-request")).ToBeVisibleAsync();
        await Expect(dev.GetByTestId("approve")).ToHaveCountAsync(0);
        await Pages.ShotAsync(dev, "14-request-pending");

        // The project owner approves it on the request page.
        await Pages.OpenAsync(admin, "/requests");
        await admin.GetByTestId("request-row").First.ClickAsync();
        await Expect(admin.GetByTestId("approve")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("cancel-request")).ToHaveCountAsync(0);
        await Pages.ShotAsync(admin, "15-request-waiting-for-owner");
        await admin.GetByTestId("approve").ClickAsync();
        await Expect(admin.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "approved");
        await Pages.ShotAsync(admin, "16-request-approved");

        // The developer reads the granted tables, and is denied department with an offer to request it.
        await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
        await Expect(dev.GetByTestId("editor-access")).ToContainTextAsync("employee, salary, title");
        await Pages.SetSqlAsync(dev, "select emp_no, amount from salary order by emp_no limit 3");
        await Pages.RunWithKeyboardAsync(dev);
        await Pages.ExpectResultAsync(dev, "3 rows");
        await Pages.ShotAsync(dev, "17-query-granted-table");
        await Pages.SetSqlAsync(dev, "select * from department");
        await dev.GetByTestId("run").ClickAsync();
        await Expect(dev.GetByTestId("denied-tables")).ToHaveTextAsync("department");
        await Expect(dev.GetByTestId("denied-request-access")).ToBeVisibleAsync();
        await Pages.ShotAsync(dev, "18-query-denied-department");

        // When the access runs out, the editor says so without any revoke.
        _app.Clock.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        await Pages.LoginAsync(dev, "dev@example.com");
        await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
        await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "none");

        // The user menu signs out.
        await dev.GetByTestId("user-chip").ClickAsync();
        await dev.GetByTestId("logout").ClickAsync();
        await Expect(dev).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await Pages.OpenAsyncExpectingLogin(dev, "/sql-editor");
    }
}
