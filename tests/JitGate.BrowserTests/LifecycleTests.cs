using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>
/// The access lifecycle where a person looks for it: a start time in the request dialog (and the project's
/// reason rule before sending), "End my access" in the SQL editor, break-glass with its warning, and the
/// approvers' review list, overdue ones first.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LifecycleTests(BrowserFixture browser) : IAsyncLifetime
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
    public async Task A_request_with_a_start_time_is_scheduled_until_then_and_the_reason_rule_is_said_before_sending()
    {
        (await _admin.PatchAsJsonAsync("/api/v1/projects/sample/settings", new { reasonPattern = @"INC-\d+" })).EnsureSuccessStatusCode();
        var dev = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(dev, "dev@example.com");
            await Pages.OpenAsync(dev, "/projects/sample/databases");
            await dev.GetByTestId("db-row-hr_prod").GetByTestId("request-access").ClickAsync();
            var dialog = dev.GetByTestId("request-dialog");
            await Expect(dialog.GetByTestId("reason-pattern")).ToContainTextAsync(@"INC-\d+");

            // A reason the rule refuses is said in the form; nothing is sent.
            await Pages.Field(dialog, "request-reason").FillAsync("need to look at salaries");
            await dev.GetByTestId("request-submit").ClickAsync();
            await Expect(dialog.GetByTestId("request-error")).ToContainTextAsync(@"must match INC-\d+");
            Assert.Empty((await _admin.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/access-requests"))!);

            // Start at 10:00 (the browser's zone is UTC; the clock says 08:00): the 4 hours count from then.
            await Pages.Field(dialog, "request-reason").FillAsync("INC-42 payroll check");
            await dialog.GetByTestId("request-start-later").ClickAsync();
            await Pages.Field(dialog, "request-starts-at").FillAsync("2026-11-24T10:00");
            await Expect(dialog.GetByTestId("preview-window")).ToContainTextAsync("from 2026-11-24 10:00 UTC to 2026-11-24 14:00 UTC");
            await Expect(dialog.GetByTestId("preview-window")).ToContainTextAsync("the duration counts from the start");
            await Pages.ShotAsync(dev, "30-request-start-time");
            await dev.GetByTestId("request-submit").ClickAsync();
            await Expect(dev.GetByTestId("request-status")).ToHaveAttributeAsync("data-status", "pendingApproval");
            await Expect(dev.GetByTestId("request-starts")).ToContainTextAsync("Starts 2026-11-24 10:00 UTC");

            var request = (await _admin.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/access-requests"))!.Single()!;
            Assert.Equal("2026-11-24T10:00:00+00:00", request["startsAt"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
            (await _admin.PostAsJsonAsync($"/api/v1/access-requests/{request["id"]}/approve", new { comment = "ok" })).EnsureSuccessStatusCode();

            // Approved before the start: the open page says scheduled, live.
            await Expect(dev.GetByTestId("access-scheduled")).ToHaveTextAsync("Scheduled");
            await Expect(dev.GetByTestId("request-expiration")).ToContainTextAsync("until 2026-11-24 14:00 UTC");
            await Pages.ShotAsync(dev, "31-request-scheduled");

            // The editor: nothing readable yet, the binding shows when it starts.
            await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
            await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "none");
            await Expect(dev.GetByTestId("scheduled-chip")).ToContainTextAsync("Starts at 2026-11-24 10:00 UTC");
            await Expect(dev.GetByTestId("end-my-access")).ToHaveCountAsync(0);
            await Pages.ShotAsync(dev, "32-editor-scheduled");

            // After the start, the same binding reads and can be given back.
            _app.Clock.Advance(TimeSpan.FromHours(2));
            await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
            await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "query");
            await Expect(dev.GetByTestId("scheduled-chip")).ToHaveCountAsync(0);
            await Expect(dev.GetByTestId("end-my-access")).ToHaveCountAsync(1);
        }
        catch
        {
            await Pages.ShotFailureAsync([dev]);
            throw;
        }
    }

    [Fact]
    public async Task End_my_access_gives_the_binding_back_and_the_editor_greys_the_database()
    {
        (await _admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT4H", reason = "onboarding",
        })).EnsureSuccessStatusCode();
        var dev = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(dev, "dev@example.com");
            await Pages.OpenAsync(dev, "/sql-editor?database=hr_test");
            await Expect(dev.GetByTestId("tree-db-hr_test")).ToHaveAttributeAsync("data-access", "query");
            await dev.GetByTestId("end-my-access").ClickAsync();
            await Expect(dev.GetByTestId("end-access-confirm")).ToBeVisibleAsync();
            await dev.WaitForTimeoutAsync(400); // the dialog's opening animation
            await Pages.ShotAsync(dev, "33-end-my-access");
            await dev.GetByTestId("end-access-confirm").ClickAsync();

            // Greyed at once, on the open page; the binding is revoked by its holder.
            await Expect(dev.GetByTestId("tree-db-hr_test")).ToHaveAttributeAsync("data-access", "none");
            await Expect(dev.GetByTestId("editor-access")).ToHaveTextAsync("No query access");
            await Expect(dev.GetByTestId("end-my-access")).ToHaveCountAsync(0);
            await Pages.ShotAsync(dev, "34-editor-access-ended");
            var binding = (await _admin.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/bindings"))!
                .Single(b => b!["principal"]!.GetValue<string>() == "user:dev@example.com" && b["role"]!.GetValue<string>() == "sqlEditorUser")!;
            Assert.Equal("revoked", binding["status"]!.GetValue<string>());
            Assert.Equal("dev@example.com", binding["revokedBy"]!.GetValue<string>());
        }
        catch
        {
            await Pages.ShotFailureAsync([dev]);
            throw;
        }
    }

    [Fact]
    public async Task Break_glass_is_warned_marked_everywhere_and_an_approver_confirms_it_in_the_review_list()
    {
        var admin = await browser.NewPageAsync(_app.BaseAddress);
        var dev = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            // The owner turns break-glass on for Prod in the project's settings.
            await Pages.LoginAsync(admin, "admin@example.com");
            await Pages.OpenAsync(admin, "/projects/sample/settings");
            await admin.GetByTestId("break-glass-enabled").ClickAsync();
            await admin.GetByTestId("break-glass-env-prod").ClickAsync();
            await Pages.ShotAsync(admin, "35-project-settings");
            await admin.GetByTestId("save-project-settings").ClickAsync();
            await Expect(admin.Locator(".mud-snackbar", new() { HasText = "Project settings saved" })).ToHaveCountAsync(1);
            var settings = (await _admin.GetFromJsonAsync<JsonObject>("/api/v1/projects/sample/settings"))!;
            Assert.True(settings["breakGlass"]!["enabled"]!.GetValue<bool>());
            Assert.Equal(["prod"], settings["breakGlass"]!["environments"]!.AsArray().Select(e => e!.GetValue<string>()));

            // The developer, denied on hr_prod, breaks glass from the editor after reading the warning.
            await Pages.LoginAsync(dev, "dev@example.com");
            await Pages.OpenAsync(dev, "/sql-editor?database=hr_prod");
            await Pages.SetSqlAsync(dev, "select count(*) from employee");
            await Pages.RunWithKeyboardAsync(dev);
            await Expect(dev.GetByTestId("access-denied")).ToBeVisibleAsync();
            await dev.GetByTestId("denied-break-glass").ClickAsync();
            var dialog = dev.GetByTestId("break-glass-dialog");
            await Expect(dialog.GetByTestId("break-glass-warning")).ToContainTextAsync("For emergencies only");
            await Expect(dialog.GetByTestId("break-glass-warning")).ToContainTextAsync("an approver reviews this afterwards");
            await Expect(dialog.GetByTestId("break-glass-db-hr_prod").Locator("input")).ToBeCheckedAsync();
            await Expect(dialog.GetByTestId("break-glass-db-hr_test")).ToHaveCountAsync(0);
            await Expect(dev.GetByTestId("break-glass-submit")).ToBeDisabledAsync();
            await Pages.Field(dialog, "break-glass-reason").FillAsync("Payroll run failing, INC-7");
            await dialog.GetByTestId("break-glass-understood").ClickAsync();
            await Pages.ShotAsync(dev, "36-break-glass-dialog");
            await dev.GetByTestId("break-glass-submit").ClickAsync();

            // At once: readable, marked break-glass in the editor and on the members page.
            await Expect(dev.GetByTestId("tree-db-hr_prod")).ToHaveAttributeAsync("data-access", "query");
            await Expect(dev.GetByTestId("my-bindings").GetByTestId("break-glass-chip")).ToHaveTextAsync("Break-glass");
            await dev.GetByTestId("run").ClickAsync();
            await Expect(dev.GetByTestId("result-summary")).ToContainTextAsync("1 row");
            await Pages.ShotAsync(dev, "37-editor-break-glass");
            await Pages.OpenAsync(admin, "/projects/sample/members");
            await Expect(admin.Locator("[data-testid=binding-row][data-principal='dev@example.com']").GetByTestId("break-glass-chip")).ToHaveCountAsync(1);
            await Pages.ShotAsync(admin, "38-members-break-glass");

            // A day later the review is overdue: counted in the navigation, highlighted in the list.
            // (A day outlives the admin's console session and API token: they sign in again.)
            _app.Clock.Advance(TimeSpan.FromHours(25));
            await Pages.LoginAsync(admin, "admin@example.com");
            await Pages.OpenAsync(admin, "/break-glass/reviews");
            await Expect(admin.GetByTestId("nav-reviews-count")).ToHaveTextAsync("1");
            var review = admin.GetByTestId("review");
            await Expect(review).ToHaveAttributeAsync("data-overdue", "true");
            await Expect(review.GetByTestId("review-overdue")).ToBeVisibleAsync();
            await Expect(review.GetByTestId("review-reason")).ToHaveTextAsync("Payroll run failing, INC-7");
            await Pages.ShotAsync(admin, "39-break-glass-reviews");

            // Flagging needs a comment; confirming closes it.
            await review.GetByTestId("review-flag").ClickAsync();
            await Expect(admin.GetByTestId("review-error")).ToContainTextAsync("Comment is required to flag");
            await Pages.Field(review, "review-comment").FillAsync("Checked with on-call: warranted.");
            await review.GetByTestId("review-confirm").ClickAsync();
            await Expect(admin.GetByTestId("reviews-empty")).ToBeVisibleAsync();
            await Expect(admin.GetByTestId("nav-reviews-count")).ToHaveCountAsync(0);
            await admin.GetByTestId("show-decided").ClickAsync();
            await Expect(admin.GetByTestId("review-decision")).ToContainTextAsync("Confirmed by admin@example.com");
            using var api = await _app.ApiAsync("admin@example.com", Pages.Password);
            var reviews = (await api.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/break-glass/reviews"))!;
            Assert.Equal("confirmed", reviews.Single()!["status"]!.GetValue<string>());
        }
        catch
        {
            await Pages.ShotFailureAsync([admin, dev]);
            throw;
        }
    }

    [Fact]
    public async Task An_admin_sets_an_environment_maximum_that_the_request_dialog_then_keeps_to()
    {
        var admin = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            await Pages.LoginAsync(admin, "admin@example.com");
            await Pages.OpenAsync(admin, "/settings/environments");
            await Pages.ChooseAsync(admin, "environment-max-prod", "4 hours");
            await admin.GetByTestId("environment-prod").GetByTestId("environment-save").ClickAsync();
            await Expect(admin.Locator(".mud-snackbar", new() { HasText = "access lasts at most 4 hours" })).ToHaveCountAsync(1);
            await Pages.ShotAsync(admin, "40-environments");
            var prod = (await _admin.GetFromJsonAsync<JsonArray>("/api/v1/environments"))!.Single(e => e!["id"]!.GetValue<string>() == "prod")!;
            Assert.Equal("PT4H", prod["maxAccessDuration"]!.GetValue<string>());

            // A day on Prod is now more than the maximum: the dialog says so before sending.
            await Pages.OpenAsync(admin, "/projects/sample/databases");
            await admin.GetByTestId("db-row-hr_prod").GetByTestId("request-access").ClickAsync();
            await admin.GetByTestId("expiry-P1D").ClickAsync();
            await Expect(admin.GetByTestId("request-preview")).ToContainTextAsync("Prod environment's maximum");
        }
        catch
        {
            await Pages.ShotFailureAsync([admin]);
            throw;
        }
    }
}
