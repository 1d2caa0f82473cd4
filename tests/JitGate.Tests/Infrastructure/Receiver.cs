using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitGate.Tests.Infrastructure;

/// <summary>
/// A real HTTP receiver on a loopback port standing in for Slack, Teams or a generic webhook target:
/// it records what it gets, and can fail a number of times or never answer.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    public sealed record Received(string Path, Dictionary<string, string> Headers, string Body);

    private Receiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";
    public bool Hang { get; set; }

    /// <summary>How long each request takes to answer; it is recorded only once answered (a slow Slack).</summary>
    public TimeSpan Delay { get; set; }

    public void FailNext(int times) => _failuresLeft = times;

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/{**path}", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (receiver.Delay > TimeSpan.Zero) await Task.Delay(receiver.Delay, ctx.RequestAborted);
            receiver.Requests.Enqueue(new Received(ctx.Request.Path.Value ?? "", ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            if (receiver.Hang) await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0) return Results.StatusCode(500);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
