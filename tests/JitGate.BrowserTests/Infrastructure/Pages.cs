using System.Text.RegularExpressions;

namespace JitGate.BrowserTests.Infrastructure;

/// <summary>What a person does in the console, as Playwright steps.</summary>
public static class Pages
{
    public const string Password = "a-good-password-1";

    public static async Task SignupAsync(IPage page, string email, string name, string password = Password)
    {
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#name").FillAsync(name);
        await page.Locator("#password").FillAsync(password);
        await page.GetByTestId("signup-submit").ClickAsync();
        await page.GetByTestId("user-chip").WaitForAsync();
    }

    public static async Task LoginAsync(IPage page, string email, string password = Password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.GetByTestId("user-chip").WaitForAsync();
    }

    /// <summary>Loads a console page and waits until it is interactive (the app bar renders only then).</summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.GetByTestId("user-chip").WaitForAsync();
    }

    /// <summary>Picks an option of a MudSelect by its visible text.</summary>
    public static async Task ChooseAsync(IPage page, string testId, string option)
    {
        await page.GetByTestId(testId).ClickAsync();
        var item = page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions
        {
            HasTextRegex = new Regex("^\\s*" + Regex.Escape(option) + "\\s*$"),
        });
        await item.First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });
    }

    public static async Task SetSqlAsync(IPage page, string sql)
    {
        await page.Locator(".monaco-editor").First.WaitForAsync();
        // While the page turns interactive the editor can be created again; set the text on every
        // editor and make sure it stays before a test presses Run.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await page.EvaluateAsync("sql => monaco.editor.getEditors().forEach(e => e.setValue(sql))", sql);
            await page.WaitForTimeoutAsync(150);
            if (await page.EvaluateAsync<bool>("sql => { const e = monaco.editor.getEditors(); return e.length > 0 && e.every(x => x.getValue() === sql); }", sql)) return;
        }
        throw new InvalidOperationException("The SQL editor did not keep the statement.");
    }

    /// <summary>Runs the editor's text with Ctrl+Enter, as a person would, and waits for an answer.</summary>
    public static async Task RunWithKeyboardAsync(IPage page)
    {
        await page.Locator(".monaco-editor .view-lines").First.ClickAsync();
        // To the end of the text, as a person finishing a statement would: no selection is left from a click
        // that landed while the page turned interactive (Ctrl+Enter runs a selection when there is one).
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.PressAsync("Control+Enter");
        await page.Locator("[data-testid=result-summary], [data-testid=access-denied], [data-testid=query-error]").First.WaitForAsync();
    }

    /// <summary>Fails with what the page shows instead when a query did not produce a result.</summary>
    public static async Task ExpectResultAsync(IPage page, string summary)
    {
        var result = page.GetByTestId("result-summary");
        if (!await result.IsVisibleAsync())
        {
            var shown = await page.Locator("[data-testid=access-denied], [data-testid=query-error]").AllInnerTextsAsync();
            throw new InvalidOperationException($"Expected a result ({summary}), the page shows: {string.Join(" | ", shown)}");
        }
        await Assertions.Expect(result).ToContainTextAsync(summary);
    }

    public static async Task ShotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, name + ".png") });
    }

    /// <summary>Opens a console page while signed out, which must land on the sign-in form.</summary>
    public static async Task OpenAsyncExpectingLogin(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.GetByTestId("login-submit").WaitForAsync();
    }

    /// <summary>The text input of a MudTextField, wherever MudBlazor put its test id (on the input or around it).</summary>
    public static ILocator Field(ILocator scope, string testId) =>
        scope.Locator($"input[data-testid={testId}], textarea[data-testid={testId}], [data-testid={testId}] input, [data-testid={testId}] textarea").First;

    public static ILocator Field(IPage page, string testId) => Field(page.Locator("body"), testId);

    /// <summary>What each user saw when a test failed.</summary>
    public static async Task ShotFailureAsync(IEnumerable<IPage> pages)
    {
        var i = 0;
        foreach (var page in pages)
        {
            try
            {
                await ShotAsync(page, $"failure-{i++}");
            }
            catch (PlaywrightException)
            {
                // A page that is gone has nothing to show.
            }
        }
    }
}
