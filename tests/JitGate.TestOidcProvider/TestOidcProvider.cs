using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace JitGate.TestOidcProvider;

/// <summary>A person the provider knows: what they type to sign in there, and what their ID token says.</summary>
public sealed class Person
{
    public required string Username { get; init; }
    public string Password { get; init; } = "provider-password-1";
    public required string Email { get; set; }
    public bool EmailVerified { get; set; } = true;
    public string Name { get; set; } = "";
    /// <summary>The subject: stable and never reassigned, unlike the e-mail.</summary>
    public string Subject { get; init; } = Guid.NewGuid().ToString("n");
    /// <summary>Group names the groups claim lists; the test changes them between sign-ins.</summary>
    public List<string> Groups { get; set; } = [];
}

/// <summary>
/// A real OpenID Connect provider for tests: OpenIddict's server on a loopback port, with the authorization
/// code flow and PKCE required, one confidential client, a sign-in form of its own and a list of people
/// whose groups the test changes. Its ID tokens carry sub, email, email_verified, name and groups.
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    public const string ClientId = "jitgate";
    public const string ClientSecret = "jitgate-test-client-secret";

    private readonly WebApplication _app;
    private readonly string _databasePath;

    private TestOidcProvider(WebApplication app, Uri issuer, string databasePath)
    {
        _app = app;
        Issuer = issuer;
        _databasePath = databasePath;
    }

    /// <summary>The issuer, as JitGate's authority: http://localhost:port (another site than 127.0.0.1, as a real provider is).</summary>
    public Uri Issuer { get; }

    public string Authority => Issuer.ToString().TrimEnd('/');

    public ConcurrentDictionary<string, Person> People { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many authorization requests the provider has answered with a code.</summary>
    public int CodesIssued => _codes;
    private int _codes;

    public Person Add(string username, string email, string name, params string[] groups)
    {
        var person = new Person { Username = username, Email = email, Name = name, Groups = [.. groups] };
        People[username] = person;
        return person;
    }

    /// <summary>Starts the provider with the client's redirect URIs registered (JitGate's /signin-oidc).</summary>
    public static async Task<TestOidcProvider> StartAsync(params string[] redirectUris)
    {
        var port = FreePort();
        var issuer = new Uri($"http://localhost:{port}/");
        var databasePath = Path.Combine(Path.GetTempPath(), $"jitgate-idp-{Guid.NewGuid():n}.db");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDbContext<ProviderDb>(o => o.UseSqlite($"Data Source={databasePath}").UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderDb>())
            .AddServer(o =>
            {
                o.SetIssuer(issuer);
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, "groups");
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            });
        builder.Services.AddAuthentication("idp").AddCookie("idp", o =>
        {
            o.Cookie.Name = "idp.session";
            o.LoginPath = "/login";
        });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        var provider = new TestOidcProvider(app, issuer, databasePath);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/login", (string? returnUrl) => Results.Content(LoginForm(returnUrl ?? "/", null), "text/html"));
        app.MapPost("/login", async (HttpContext ctx) =>
        {
            var form = await ctx.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            if (!provider.People.TryGetValue(form["username"].ToString(), out var person) || person.Password != form["password"].ToString())
            {
                return Results.Content(LoginForm(returnUrl, "Wrong username or password."), "text/html");
            }
            await ctx.SignInAsync("idp", new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, person.Username)], "idp")));
            return Results.LocalRedirect(returnUrl.StartsWith('/') ? returnUrl : "/");
        }).DisableAntiforgery();
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Delegate)provider.AuthorizeAsync);
        app.MapPost("/logout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync("idp");
            return Results.Ok();
        }).DisableAntiforgery();

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProviderDb>().Database.EnsureCreatedAsync();
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "JitGate",
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                    Permissions.ResponseTypes.Code, Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Prefixes.Scope + "groups",
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            foreach (var uri in redirectUris) descriptor.RedirectUris.Add(new Uri(uri));
            await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(descriptor);
        }
        await app.StartAsync();
        return provider;
    }

    /// <summary>Signs the person in at the provider if they are not yet, then answers with a code whose ID token says who they are now.</summary>
    private async Task<IResult> AuthorizeAsync(HttpContext ctx)
    {
        var request = ctx.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var signedIn = await ctx.AuthenticateAsync("idp");
        if (!signedIn.Succeeded || !People.TryGetValue(signedIn.Principal!.Identity!.Name!, out var person))
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = ctx.Request.Path + ctx.Request.QueryString }, ["idp"]);
        }
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Subject)
            .SetClaim(Claims.Email, person.Email)
            .SetClaim(Claims.EmailVerified, person.EmailVerified)
            .SetClaim(Claims.Name, person.Name)
            .SetClaims("groups", [.. person.Groups]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        Interlocked.Increment(ref _codes);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string LoginForm(string returnUrl, string? error) => $"""
        <!DOCTYPE html><html><head><title>Test provider</title></head><body>
        <h1>Test provider sign-in</h1>
        {(error is null ? "" : $"<p id=\"idp-error\">{HtmlEncoder.Default.Encode(error)}</p>")}
        <form method="post" action="/login">
          <input type="hidden" name="returnUrl" value="{HtmlEncoder.Default.Encode(returnUrl)}" />
          <label>Username <input id="idp-username" name="username" /></label>
          <label>Password <input id="idp-password" name="password" type="password" /></label>
          <button id="idp-submit" type="submit">Sign in</button>
        </form></body></html>
        """;

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            File.Delete(_databasePath);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the temp folder.
        }
    }

    private sealed class ProviderDb(DbContextOptions<ProviderDb> options) : DbContext(options);
}
