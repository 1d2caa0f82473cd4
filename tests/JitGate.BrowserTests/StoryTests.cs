using System.Text.RegularExpressions;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>
/// The seed's story (just-in-time database access, part 1), step by step in its own words, in Chromium:
/// no step the story does not have. The admin approves as the project owner without granting themselves anything.
/// </summary>
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
    public async Task The_seed_story_click_by_click()
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
        // Step 1. "The first registration user will be granted as the Workspace Admin."
        var admin = await browser.NewPageAsync(_app.BaseAddress);
        pages.Add(admin);
        await admin.GotoAsync("/");
        await Expect(admin).ToHaveURLAsync(new Regex("/signup"));
        await admin.Locator("#email").FillAsync("admin@example.com");
        await Pages.ShotAsync(admin, "01-signup");
        await Pages.SignupAsync(admin, "admin@example.com", "Admin");
        await Expect(admin.GetByTestId("project-sample")).ToContainTextAsync("Sample Project");
        await Pages.ShotAsync(admin, "02-projects");

        // "Click IAM & Admin > Users & Groups, add a new dev user, giving it a Project Developer role which will apply to all projects."
        await admin.GetByRole(AriaRole.Link, new() { Name = "Users & Groups" }).ClickAsync();
        await admin.GetByTestId("add-user").ClickAsync();
        await Pages.Field(admin, "new-email").FillAsync("dev@example.com");
        await Pages.Field(admin, "new-name").FillAsync("Dev");
        await Pages.Field(admin, "new-password").FillAsync(Pages.Password);
        await Pages.ChooseAsync(admin, "new-project-role", "Project Developer");
        await Pages.ShotAsync(admin, "03-add-user");
        await admin.GetByTestId("add-user-confirm").ClickAsync();
        await Expect(admin.Locator("[data-testid=user-row][data-email='dev@example.com']").GetByTestId("workspace-binding")).ToContainTextAsync("Project Developer");
        await Pages.ShotAsync(admin, "04-users");

        // Step 2. "Login as the developer, choose Sample Project, Database > Databases: hr_prod and hr_test."
        var dev = await browser.NewPageAsync(_app.BaseAddress);
        pages.Add(dev);
        await Pages.LoginAsync(dev, "dev@example.com");
        await dev.GetByRole(AriaRole.Link, new() { Name = "Databases" }).First.ClickAsync();
        await Expect(dev.GetByTestId("db-row-hr_test")).ToBeVisibleAsync();
        // "Click hr_prod, you will see the SQL Editor icon is greyed out."
        var prodRow = dev.GetByTestId("db-row-hr_prod");
        await Expect(prodRow.GetByTestId("sql-editor-disabled")).ToBeVisibleAsync();
        await Pages.ShotAsync(dev, "05-dev-databases-no-access");
        // "Even you click SQL Editor on the top bar, you still don't have access to this database."
        await dev.GetByTestId("appbar-sql-editor").ClickAsync();
        await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "none");
        await Pages.ShotAsync(dev, "06-sql-editor-greyed");

        // Step 3. "Login as the Admin, go into Sample Project, Manage > Members; find the developer, click Edit, then Grant Access."
        await admin.GetByRole(AriaRole.Link, new() { Name = "Members" }).First.ClickAsync();
        await admin.Locator("[data-testid=binding-row][data-principal='dev@example.com']").GetByTestId("edit-member").ClickAsync();
        // "Select the SQL Editor User role, then set 1 day Expiration, and click Confirm."
        await Pages.ChooseAsync(admin, "grant-role", "SQL Editor User");
        await admin.GetByTestId("expiry-P1D").ClickAsync();
        await Pages.ShotAsync(admin, "07-grant-access");
        await admin.GetByTestId("grant-confirm").ClickAsync();
        var grant = admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]");
        await Expect(grant.GetByTestId("binding-expiry")).ToContainTextAsync("2026-11-25 08:00 UTC");
        await Pages.ShotAsync(admin, "08-members-granted");

        // "Login as the developer again: the SQL Editor icon is no longer greyed out." The open editor sees it without a reload.
        await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "query");
        await dev.GetByTestId("tree-db-hr_prod").Locator(".jg-db-name").ClickAsync();
        await Expect(dev.GetByTestId("editor-access")).ToContainTextAsync("access ends");
        await Pages.SetSqlAsync(dev, "select emp_no, first_name, last_name from employee order by emp_no limit 5");
        await Pages.RunWithKeyboardAsync(dev);
        await Pages.ExpectResultAsync(dev, "5 rows");
        await Pages.ShotAsync(dev, "09-sql-editor-query");

        // Step 4. "Login as Admin, go into Sample Project and revoke the developer's access."
        await grant.GetByTestId("revoke").ClickAsync();
        await admin.GetByTestId("revoke-confirm").ClickAsync();
        await Expect(grant).ToHaveCountAsync(0);
        await Expect(dev.GetByTestId("editor-access")).ToHaveTextAsync("No query access");

        // "CI/CD > Custom Approval: Request Querier Role, high risk, an approval flow Project Owner."
        await admin.GetByRole(AriaRole.Link, new() { Name = "Approval flows" }).ClickAsync();
        var high = admin.GetByTestId("flow-high");
        await high.GetByTestId("flow-configured").ClickAsync();
        await Expect(high.GetByTestId("flow-step")).ToHaveTextAsync(["1. Project Owner"]);
        await admin.GetByTestId("save-flows").ClickAsync();
        await Expect(admin.Locator(".mud-snackbar", new() { HasText = "Approval flows saved" })).ToHaveCountAsync(1);
        await Pages.ShotAsync(admin, "12-approval-flows");

        // "CI/CD > Risk Center: a High risk policy for Request Querier Role which triggers when the environment is Prod."
        await admin.GetByRole(AriaRole.Link, new() { Name = "Risk rules" }).ClickAsync();
        await admin.GetByTestId("add-rule").ClickAsync();
        var rule = admin.GetByTestId("rule").First;
        await Pages.Field(rule, "rule-title").FillAsync("Prod access");
        await rule.GetByTestId("rule-build").ClickAsync();
        await Pages.ChooseAsync(admin, "builder-environment", "Prod (prod)");
        await Expect(rule.GetByTestId("builder-preview")).ToHaveTextAsync("environment_id == \"prod\"");
        await rule.GetByTestId("builder-use").ClickAsync();
        await Expect(Pages.Field(rule, "rule-condition")).ToHaveValueAsync("environment_id == \"prod\"");
        await Expect(rule.GetByTestId("rule-warning")).ToHaveCountAsync(0);
        await Pages.ShotAsync(admin, "11-risk-rules");
        await admin.GetByTestId("save-rules").ClickAsync();
        await Expect(admin.Locator(".mud-snackbar", new() { HasText = "Risk rules saved" })).ToHaveCountAsync(1);

        // "Login as the developer, SQL Editor: hr_prod and hr_test are listed; click Request query."
        await dev.GetByTestId("tree-db-hr_prod").GetByTestId("request-query").ClickAsync();
        // "Choose Manually select, then employee, salary and title under hr_prod, and click OK."
        var dialog = dev.GetByTestId("request-dialog");
        await Expect(dialog.GetByTestId("scope-check-hr_prod")).ToHaveAttributeAsync("data-state", "all");
        await dialog.GetByTestId("scope-check-hr_prod").ClickAsync();
        await dialog.GetByTestId("scope-expand-hr_prod").ClickAsync();
        foreach (var table in new[] { "employee", "salary", "title" }) await dialog.GetByTestId($"scope-table-hr_prod-{table}").ClickAsync();
        await Expect(dialog.GetByTestId("scope-check-hr_prod")).ToHaveAttributeAsync("data-state", "some");
        await Pages.Field(dialog, "request-reason").FillAsync("Incident 42: salary report is wrong");
        await Expect(dialog.GetByTestId("preview-risk")).ToHaveTextAsync("high");
        await Expect(dialog.GetByTestId("preview-step")).ToHaveTextAsync(["1. Project Owner"]);
        await Expect(dialog.GetByTestId("no-approver")).ToHaveCountAsync(0);
        await dialog.GetByTestId("request-preview").ScrollIntoViewIfNeededAsync();
        await Pages.ShotAsync(dev, "13-request-dialog");
        await dev.GetByTestId("request-submit").ClickAsync();
        await Expect(dev.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "pendingApproval");
        await Expect(dev.GetByTestId("request-scope")).ToContainTextAsync("hr_prod: employee, salary, title");
        await Expect(dev.GetByTestId("waiting-note")).ToContainTextAsync("admin@example.com");
        await Pages.ShotAsync(dev, "14-request-pending");

        // "Switch to the project owner (the admin user), go to Issue page: the request issue. Click Approve."
        await admin.GetByRole(AriaRole.Link, new() { Name = "Requests" }).First.ClickAsync();
        await admin.GetByTestId("request-row").First.ClickAsync();
        await Expect(admin.GetByTestId("approve")).ToBeVisibleAsync();
        await Pages.ShotAsync(admin, "15-request-waiting-for-owner");
        await admin.GetByTestId("approve").ClickAsync();
        await Expect(admin.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "approved");
        await Pages.ShotAsync(admin, "16-request-approved");

        // "Switch back to the developer, SQL Editor: query these three tables."
        await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
        await Expect(dev.GetByTestId("editor-access")).ToContainTextAsync("employee, salary, title");
        await Pages.SetSqlAsync(dev, "select emp_no, amount from salary order by emp_no limit 3");
        await Pages.RunWithKeyboardAsync(dev);
        await Pages.ExpectResultAsync(dev, "3 rows");
        await Pages.ShotAsync(dev, "17-query-granted-table");
        // "If you query from other tables, you will get errors and suggest to request a JIT access."
        await Pages.SetSqlAsync(dev, "select * from department");
        await dev.GetByTestId("run").ClickAsync();
        await Expect(dev.GetByTestId("denied-tables")).ToHaveTextAsync("department");
        await Expect(dev.GetByTestId("denied-request-access")).ToBeVisibleAsync();
        await Pages.ShotAsync(dev, "18-query-denied-department");

        // "The admin can revoke the access directly from the Manage > Members page": the developer's open editor follows at once.
        await admin.GetByRole(AriaRole.Link, new() { Name = "Members" }).First.ClickAsync();
        await admin.Locator("[data-testid=binding-row][data-principal='dev@example.com'][data-role=sqlEditorUser]").GetByTestId("revoke").ClickAsync();
        await admin.GetByTestId("revoke-confirm").ClickAsync();
        await Expect(dev.GetByTestId("editor-access")).ToHaveTextAsync("No query access");
        await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "none");
        await Pages.ShotAsync(dev, "19-revoked-live");
    }
}
