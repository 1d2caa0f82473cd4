using System.Threading.RateLimiting;
using JitGate.Core;
using JitGate.Core.Persistence.Postgres;
using JitGate.Core.Features.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Polly;
using JitGate.Server;
using JitGate.Server.Api;
using JitGate.Server.Auth;
using JitGate.Server.Jobs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"])
    && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
{
    builder.WebHost.UseUrls("http://localhost:8080");
}
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
    // A bearer token with bytes that are not UTF-8 is read as Latin-1 rather than refused by the server
    // with an empty 400, so that it meets the bearer handler and gets its 401 problem+json.
    k.RequestHeaderEncodingSelector = name => string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase) ? System.Text.Encoding.Latin1 : null;
});

var options = builder.Configuration.GetSection("JitGate").Get<JitGateOptions>() ?? new JitGateOptions();
builder.Services.Configure<JitGateOptions>(builder.Configuration.GetSection("JitGate"));
if (StartupChecks.TrustedProxiesProblem(options.TrustedProxies) is { } proxiesProblem)
{
    Console.Error.WriteLine(proxiesProblem);
    return 2;
}
if (StartupChecks.DataFolderProblem(options.DataDir) is { } dataFolderProblem)
{
    Console.Error.WriteLine(dataFolderProblem);
    return 2;
}
var metadata = builder.Configuration.GetConnectionString("Metadata") ?? CoreServices.SqliteConnectionStringFor(options.DataDir);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddJitGateCore(metadata);
JitGate.Engines.EngineServices.AddJitGateEngines(builder.Services);
builder.Services.AddHostedService<ExpiryJob>();
builder.Services.AddHostedService<WebhookJob>();
builder.Services.AddHostedService<ReconcileJob>();
var dataProtection = builder.Services.AddDataProtection().SetApplicationName("JitGate");
if (CoreServices.IsPostgres(metadata)) dataProtection.PersistKeysToDbContext<JitGatePostgresDb>();
else dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(options.DataDir), "keys")));
builder.Services.AddSingleton<JobLeadership>();
builder.Services.AddJitGateObservability();
builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, c => c.DefaultRequestHeaders.UserAgent.ParseAdd("JitGate-Webhooks/1.0"))
    .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
    {
        ConnectCallback = PublicAddresses.Connector(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JitGateOptions>>().Value.WebhooksToPrivateNetworks),
    })
    .AddResilienceHandler("webhook-timeout", pipeline => pipeline.AddTimeout(TimeSpan.FromSeconds(5)));
// A receiver that is slow or down is the receiver's problem, recorded in the delivery log and retried from
// the outbox; it is not an error of JitGate's, so the resilience pipeline reports it as a warning.
builder.Services.Configure<Polly.Telemetry.TelemetryOptions>(telemetry =>
    telemetry.SeverityProvider = args => args.Event.Severity >= Polly.Telemetry.ResilienceEventSeverity.Error
        ? Polly.Telemetry.ResilienceEventSeverity.Warning
        : args.Event.Severity);

builder.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(forwarded =>
{
    forwarded.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
    // Only the proxies named in configuration are believed; the framework's default (loopback) is dropped.
    forwarded.KnownIPNetworks.Clear();
    forwarded.KnownProxies.Clear();
    foreach (var entry in options.TrustedProxies ?? [])
    {
        if (System.Net.IPNetwork.TryParse(entry, out var network)) forwarded.KnownIPNetworks.Add(network);
        else if (System.Net.IPAddress.TryParse(entry, out var address)) forwarded.KnownProxies.Add(address);
    }
});
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.Configure<JsonOptions>(o =>
{
    o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
    // Times without an offset would be read in the host's time zone: refused instead (400 invalid-time).
    o.SerializerOptions.Converters.Add(new JitGate.Core.Common.Rfc3339JsonConverter());
    // Control and bidirectional override characters are refused in every text field (400 invalid-text);
    // reasons, comments, statements and conditions may hold newlines and tabs.
    o.SerializerOptions.Converters.Add(JitGate.Core.Common.TextJsonConverter.SingleLine);
    o.SerializerOptions.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
    {
        Modifiers =
        {
            info =>
            {
                foreach (var property in info.Properties)
                {
                    if (property.PropertyType == typeof(string) && JitGate.Core.Common.TextRules.MultiLineFields.Contains(property.Name))
                    {
                        property.CustomConverter = JitGate.Core.Common.TextJsonConverter.MultiLine;
                    }
                }
            },
        },
    };
});

builder.Services.AddAuthentication(SessionCookie.PolicyScheme)
    .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null)
    .AddJitGateSessionCookie()
    .AddJitGateOidc();
builder.Services.AddAuthorization();
builder.Services.AddJitGateConsole();

builder.Services.AddRateLimiter(limiter =>
{
    limiter.AddPolicy(IdentityEndpoints.LoginRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(
        ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = ctx.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<JitGateOptions>>().Value.LoginAttemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    limiter.OnRejected = (context, _) => new ValueTask(ProblemWriter.WriteAsync(context.HttpContext, 429, "too-many-attempts",
        "Too many attempts", "Too many sign-in attempts from this address; wait a minute and try again."));
});

builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
{
    doc.Info.Title = "JitGate API";
    doc.Info.Description = "Just-in-time database access: request, approve, query, revoke, audit.";
    return Task.CompletedTask;
}));

var app = builder.Build();

if (options.Console && StartupChecks.ConsoleAssetsProblem(app.Environment.WebRootFileProvider, app.Environment.EnvironmentName) is { } assetsProblem)
{
    Console.Error.WriteLine(assetsProblem);
    return 2;
}

try
{
    await CoreServices.InitializeAsync(app.Services, app.Lifetime.ApplicationStopping);
}
catch (Exception e) when (JitGate.Core.Persistence.StoreHealth.Unwritable(e) is { } why)
{
    Console.Error.WriteLine($"JitGate cannot start: its store cannot be written ({why}). Free space or make it writable, then start JitGate again.");
    return 2;
}

await app.Services.GetRequiredService<SignInMethods>().RefreshAsync(app.Lifetime.ApplicationStopping);

if (options.TrustedProxies is { Count: > 0 }) app.UseForwardedHeaders();
app.UseExceptionHandler();
if (options.Console)
{
    // A person who follows a wrong link gets the console's own page; programs get problem+json below.
    app.UseWhen(WantsPage, html => html.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
}
app.UseStatusCodePages(async ctx =>
{
    var http = ctx.HttpContext;
    if (http.Response.HasStarted || http.Response.ContentLength is > 0 || (options.Console && WantsPage(http))) return;
    var status = http.Response.StatusCode;
    await ProblemWriter.WriteAsync(http, status, status == 404 ? "not-found" : "http-" + status, ReasonPhrase(status),
        status == 404 ? $"Nothing is at {http.Request.Path.Value}." : ReasonPhrase(status) + ".");
});
// After the status code pages, so that a request they re-execute (the console's not-found page) is routed again.
app.UseRouting();
app.UseMiddleware<CookieCsrfGuard>();
app.UseMiddleware<OidcCallbackRefresh>();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseMiddleware<TokenUseAudit>();

app.MapJitGateObservability();
app.MapOpenApi();
app.MapScalarApiReference(o => o.WithTitle("JitGate API"));
if (options.Console) app.MapJitGateConsole();

var api = app.MapGroup("/api/v1");
api.MapIdentity().MapCatalog().MapBindings().MapAccessRequests().MapQuery().MapAudit().MapSettings().MapIntegrations();
api.MapBindingUpdates();
api.MapLifecycle();
api.MapSignIn();

await app.RunAsync();
return 0;

static bool WantsPage(HttpContext http) =>
    !http.Request.Path.StartsWithSegments("/api") && HttpMethods.IsGet(http.Request.Method)
    && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } p ? p : "Error";

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
