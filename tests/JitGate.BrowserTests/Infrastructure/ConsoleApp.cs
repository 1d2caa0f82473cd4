using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace JitGate.BrowserTests.Infrastructure;

/// <summary>
/// JitGate on a real Kestrel port on the loopback address, so a browser can reach it, with a temp
/// data folder and a clock the test moves.
/// </summary>
public sealed class ConsoleApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset StartTime = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    public ConsoleApp()
    {
        DataDir = Path.Combine(Path.GetTempPath(), "jitgate-browser-tests", Guid.NewGuid().ToString("n"));
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
    }

    public string DataDir { get; }

    /// <summary>Errors the server logged; any one fails the test when the app is disposed.</summary>
    public ServerErrorLog ServerErrors { get; } = new();
    public FakeTimeProvider Clock { get; } = new(StartTime);
    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("JitGate:DataDir", DataDir);
        builder.UseSetting("JitGate:LoginAttemptsPerMinute", "1000");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseEnvironment("Testing");
        builder.UseStaticWebAssets();
        builder.ConfigureLogging(logging => logging.AddProvider(ServerErrors));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>An API client signed in as a user, for preparing what a test is not about.</summary>
    public async Task<HttpClient> ApiAsync(string email, string password)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        var errors = ServerErrors.Errors.ToList();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS to clean up with the temp folder.
        }
        GC.SuppressFinalize(this);
        if (errors.Count > 0) throw new InvalidOperationException("The server logged errors:\n" + string.Join("\n", errors));
    }
}
