using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace JitGate.Bench;

/// <summary>
/// The console as a person meets it, in Chromium: the time from navigating to the SQL editor until it is
/// interactive (its Run button enabled, the access line shown), and from pressing Run until the first row is
/// on the page, for 1 row and for 1,000 rows. The server runs in Development because build output serves
/// the console's files only there (published output does in Production); the figures are the browser's
/// and the circuit's, not the build's.
/// </summary>
internal static class BrowserSuite
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly string[] ProdOnly = ["hr_prod"];

    public static async Task RunAsync(BenchArgs args)
    {
        var runs = args.Int("runs", 10, positional: true);
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"browser: Chromium ({ChromiumPath}), {runs} runs of each, one tab at a time"));

        await using var server = ServerProcess.Start(environment: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["JitGate__Console"] = "true",
            ["JitGate__LoginAttemptsPerMinute"] = "1000",
        });
        using var admin = await server.SignupAdminAsync(TimeSpan.FromMinutes(5));
        var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings",
            new { principal = $"user:{ServerProcess.AdminEmail}", role = "sqlEditorUser", duration = "P1D", scope = new { databases = ProdOnly } });
        grant.EnsureSuccessStatusCode();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString() });
        var signIn = await context.NewPageAsync();
        await signIn.GotoAsync("/login");
        await signIn.Locator("#email").FillAsync(ServerProcess.AdminEmail);
        await signIn.Locator("#password").FillAsync(ServerProcess.AdminPassword);
        await signIn.GetByTestId("login-submit").ClickAsync();
        await signIn.GetByTestId("user-chip").WaitForAsync();
        await signIn.CloseAsync();

        var open = new List<double>();
        var firstRow = new Dictionary<int, List<double>> { [1] = [], [1000] = [] };
        // One warm-up round (the server's first compilations, the browser's first fetches), not counted.
        for (var run = -1; run < runs; run++)
        {
            var page = await context.NewPageAsync();
            var clock = Stopwatch.StartNew();
            await page.GotoAsync("/sql-editor?database=hr_prod");
            await page.GetByTestId("editor-access").Filter(new LocatorFilterOptions { HasText = "access ends" }).WaitForAsync();
            await page.Locator("[data-testid=run]:not([disabled])").WaitForAsync();
            await page.Locator(".monaco-editor").First.WaitForAsync();
            if (run >= 0) open.Add(clock.Elapsed.TotalMilliseconds);

            foreach (var rows in firstRow.Keys)
            {
                await SetSqlAsync(page, $"select emp_no, first_name, last_name, hire_date from employee order by emp_no limit {rows}");
                // The editor numbers its results, so the row waited for is this run's.
                var next = int.Parse(await page.GetByTestId("result-area").GetAttributeAsync("data-run") ?? "0", CultureInfo.InvariantCulture) + 1;
                clock.Restart();
                await page.GetByTestId("run").ClickAsync();
                await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=result-area][data-run=\"{next}\"] [data-testid=result-grid] tbody tr td')",
                    null, new() { PollingInterval = 5 });
                if (run >= 0) firstRow[rows].Add(clock.Elapsed.TotalMilliseconds);
                await page.Locator("[data-testid=run]:not([disabled])").WaitForAsync();
            }
            await page.CloseAsync();
        }

        Console.WriteLine($"{"measure",-46} {"median ms",10} {"min ms",9} {"max ms",9} {"n",4}");
        Print("navigation to an interactive SQL editor", open);
        foreach (var (rows, times) in firstRow) Print($"Run to the first row shown, {rows:N0} row{(rows == 1 ? "" : "s")}", times);
    }

    private static void Print(string name, List<double> milliseconds)
    {
        milliseconds.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-46} {Stats.Percentile(milliseconds, 0.5),10:0.0} {milliseconds[0],9:0.0} {milliseconds[^1],9:0.0} {milliseconds.Count,4}"));
    }

    // Monaco is created when the page turns interactive; set the text on every editor and check it stays.
    private static async Task SetSqlAsync(IPage page, string sql)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await page.EvaluateAsync("sql => monaco.editor.getEditors().forEach(e => e.setValue(sql))", sql);
            if (await page.EvaluateAsync<bool>("sql => { const e = monaco.editor.getEditors(); return e.length > 0 && e.every(x => x.getValue() === sql); }", sql)) return;
            await page.WaitForTimeoutAsync(50);
        }
        throw new InvalidOperationException("The SQL editor did not keep the statement.");
    }
}
