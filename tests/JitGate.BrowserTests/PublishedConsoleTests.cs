using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>
/// The deployment DEPLOY.md documents: the output of dotnet publish, run in Production, serves a console
/// with its styles and its interactivity; build output run in Production refuses to start and says why.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PublishedConsoleTests(BrowserFixture browser)
{
    [Fact]
    public async Task Published_output_in_production_serves_a_styled_interactive_console()
    {
        await using var server = await PublishedServer.StartAsync();
        var page = await browser.NewPageAsync(server.Address);
        try
        {
            await page.GotoAsync("/");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signup"));
            await Pages.SignupAsync(page, "admin@example.com", "Admin");

            // MudBlazor's stylesheet arrived: its app bar is fixed at the top, in the theme's primary colour.
            var bar = page.Locator(".mud-appbar").First;
            Assert.Equal("fixed", await bar.EvaluateAsync<string>("e => getComputedStyle(e).position"));
            Assert.Equal("rgb(63, 81, 181)", await bar.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

            // The circuit runs: a click changes the page without loading another.
            await page.GetByTestId("project-sample").GetByRole(AriaRole.Link, new() { Name = "Databases" }).ClickAsync();
            await Expect(page.GetByTestId("db-row-hr_prod")).ToBeVisibleAsync();
            await page.GetByTestId("nav-toggle").ClickAsync();
            await Expect(page.GetByTestId("nav-toggle")).ToHaveAttributeAsync("aria-expanded", "false");
            await Pages.ShotAsync(page, "published-01-production");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }

    [Fact]
    public async Task Build_output_in_production_refuses_to_start_and_says_to_publish()
    {
        // The test's own folder holds the server's build output, as dotnet build leaves it.
        await using var server = await PublishedServer.StartAsync(Path.Combine(AppContext.BaseDirectory, "JitGate.Server.dll"), waitReady: false);
        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("the web console's files are missing", server.Output, StringComparison.Ordinal);
        Assert.Contains("dotnet publish", server.Output, StringComparison.Ordinal);
    }
}
