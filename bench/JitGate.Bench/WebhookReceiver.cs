using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitGate.Bench;

/// <summary>A loopback webhook receiver for the requests suite: answers at once, or never.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _received;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";
    public int Received => Volatile.Read(ref _received);

    public static async Task<WebhookReceiver> StartAsync(bool hang)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/", async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref receiver._received);
            if (hang) await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
        await _app.DisposeAsync();
    }
}
