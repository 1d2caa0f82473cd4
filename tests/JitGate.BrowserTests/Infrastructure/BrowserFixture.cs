namespace JitGate.BrowserTests.Infrastructure;

/// <summary>One headless Chromium (Debian's) for the whole run; each user gets their own browser context.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private readonly List<(Uri Server, IBrowserContext Context)> _contexts = [];
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: JITGATE_SCREENSHOTS when set, otherwise a temp folder.</summary>
    public static string ScreenshotDir { get; } =
        Environment.GetEnvironmentVariable("JITGATE_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "jitgate-screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }

    /// <summary>
    /// A page in a new context, 1280x800 in UTC unless another window size or time zone is given. The tests of
    /// the collection run one at a time, each against a server of its own, so a page for another server means
    /// the earlier test is over: its contexts are closed, or their pages would keep trying to reconnect to a
    /// server that is gone and take the CPU from the tests that follow.
    /// </summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, int width = 1280, int height = 800, string timeZone = "UTC")
    {
        foreach (var (_, old) in _contexts.Where(c => c.Server != baseAddress).ToList())
        {
            await old.CloseAsync();
        }
        _contexts.RemoveAll(c => c.Server != baseAddress);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = timeZone,
        });
        context.SetDefaultTimeout(15_000);
        _contexts.Add((baseAddress, context));
        var page = await context.NewPageAsync();
        return page;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
