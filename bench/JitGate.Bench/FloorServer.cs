using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitGate.Bench;

/// <summary>The body of POST /api/v1/query, as JitGate takes it.</summary>
internal sealed record FloorQuery(string? Database, string? Statement, int? MaxRows);

internal sealed record FloorColumn(string Name, string Type);

/// <summary>The answer of POST /api/v1/query, in JitGate's shape.</summary>
internal sealed record FloorResult(List<FloorColumn> Columns, List<object?[]> Rows, int RowCount, bool Truncated, long ElapsedMs);

/// <summary>
/// The floor: the least an HTTP front to the same query can cost. A slim Kestrel app in this process on
/// 127.0.0.1:0, one bearer token compared with the header, System.Text.Json in and out, and the query run
/// with the driver directly: no authorization, no audit, no engine enforcement, no metadata store.
/// </summary>
internal sealed class FloorServer : IAsyncDisposable
{
    public const string Token = "floor-token-0123456789";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly WebApplication _app;

    private FloorServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<FloorServer> StartAsync(Func<FloorQuery, CancellationToken, ValueTask<FloorResult>> run)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var audit = new FloorAuditLog(Path.Combine(Path.GetTempPath(), $"jitgate-floor-audit-{Guid.NewGuid():N}.db"));
        app.Lifetime.ApplicationStopped.Register(audit.Dispose);
        app.MapPost("/api/v1/query", (HttpContext ctx) => AnswerAsync(ctx, run, null));
        // The audited floor: the same, plus one audit record committed per query before the answer.
        app.MapPost(AuditedPrefix + "/api/v1/query", (HttpContext ctx) => AnswerAsync(ctx, run, audit));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FloorServer(app, new Uri(address));
    }

    /// <summary>Where the audited floor answers: this prefix before /api/v1/query.</summary>
    public const string AuditedPrefix = "/audited";

    private static async Task AnswerAsync(HttpContext ctx, Func<FloorQuery, CancellationToken, ValueTask<FloorResult>> run, FloorAuditLog? audit)
    {
        if (ctx.Request.Headers.Authorization.ToString() != "Bearer " + Token)
        {
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var query = await ctx.Request.ReadFromJsonAsync<FloorQuery>(Web, ctx.RequestAborted);
        if (query?.Statement is null)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var result = await run(query, ctx.RequestAborted);
        if (audit is not null) await audit.RecordAsync("floor@example.com", query.Database ?? "", query.Statement, result.RowCount, ctx.RequestAborted);
        await ctx.Response.WriteAsJsonAsync(result with { ElapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds }, Web, ctx.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
