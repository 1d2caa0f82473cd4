using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace JitGate.Tests.Infrastructure;

/// <summary>
/// A JitGate server on a real data folder (SQLite metadata and sample databases on disk), driven over
/// HTTP, with a fake clock the test moves.
/// </summary>
public sealed class JitGateApp : WebApplicationFactory<Program>
{
    /// <summary>
    /// Where every fake clock starts: the real time when the run began, to the minute. Not a fixed date:
    /// PostgreSQL checks a role's VALID UNTIL against its own clock, so grants made on a clock far
    /// from the real one would already have run out there.
    /// </summary>
    public static readonly DateTimeOffset Start = TruncateToMinute(DateTimeOffset.UtcNow);

    private static DateTimeOffset TruncateToMinute(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);

    public JitGateApp(string? dataDir = null, FakeTimeProvider? clock = null, Dictionary<string, string>? settings = null, bool realTime = false)
    {
        RealTime = realTime;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n"));
        Clock = clock ?? new FakeTimeProvider(Start);
        Settings = settings ?? [];
    }

    public string DataDir { get; }
    public FakeTimeProvider Clock { get; }

    /// <summary>Every error the server logged; disposing the server fails the test when there is one.</summary>
    public ServerErrorLog ServerErrors { get; } = new();

    /// <summary>
    /// Errors a test provokes on purpose (a store made to refuse a write, say), matched by their text;
    /// any other logged error still fails the test.
    /// </summary>
    public List<string> ExpectedServerErrors { get; } = [];

    /// <summary>Run on the system clock instead of the fake one, for the few tests about real elapsed time.</summary>
    public bool RealTime { get; }
    private Dictionary<string, string> Settings { get; }

    /// <summary>A new server on the same data folder, clock and settings (the metadata store included): a restart.</summary>
    public JitGateApp Restarted() => new(DataDir, Clock, Settings, RealTime);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("JitGate:DataDir", DataDir);
        builder.UseSetting("JitGate:LoginAttemptsPerMinute", "1000");
        // The webhook and Slack receivers the tests start listen on loopback.
        builder.UseSetting("JitGate:WebhooksToPrivateNetworks", "true");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Testing");
        // The console's files come from the NuGet cache, as in Development; without them the server refuses to start.
        builder.UseStaticWebAssets();
        builder.ConfigureLogging(logging => logging.AddProvider(ServerErrors));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(RealTime ? TimeProvider.System : Clock);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        var unexpected = ServerErrors.Errors
            .Where(e => !ExpectedServerErrors.Any(expected => e.Contains(expected, StringComparison.Ordinal))).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidOperationException($"The server logged {unexpected.Count} error(s):\n{string.Join("\n---\n", unexpected.Take(5))}");
        }
    }

    public string SampleDatabasePath(string name) => Path.Combine(DataDir, "sample", name + ".db");
}
