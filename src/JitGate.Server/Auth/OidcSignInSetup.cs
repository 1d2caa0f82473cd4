using System.Security.Claims;
using JitGate.Core.Common;
using JitGate.Core.Features.Identity;
using JitGate.Core.Policy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace JitGate.Server.Auth;

/// <summary>
/// Single sign-on through ASP.NET Core's OpenIdConnect handler: the authorization code flow with PKCE (OpenID
/// Connect Core 1.0, section 3.1; RFC 7636, S256), the ID token validated by the handler against the
/// provider's published keys, then <see cref="OidcSignIn"/> turning the person into a JitGate session: the
/// same session cookie and token as a password sign-in, so signing out ends it the same way.
/// </summary>
internal static class OidcSignInSetup
{
    public const string Scheme = "oidc";

    public static AuthenticationBuilder AddJitGateOidc(this AuthenticationBuilder auth)
    {
        auth.Services.AddSingleton<SignInMethods>();
        auth.Services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, ConfigureFromSignInMethods>();
        auth.AddOpenIdConnect(Scheme, "Single sign-on", _ => { });
        return auth;
    }

    /// <summary>Builds the handler's options from the provider in force; a placeholder while there is none, so the handler stays idle.</summary>
    private sealed class ConfigureFromSignInMethods(SignInMethods methods) : IConfigureNamedOptions<OpenIdConnectOptions>
    {
        public void Configure(OpenIdConnectOptions options) => Configure(Options.DefaultName, options);

        public void Configure(string? name, OpenIdConnectOptions o)
        {
            if (name != Scheme) return;
            o.SignInScheme = SessionCookie.CookieScheme;
            o.CallbackPath = OidcSettings.CallbackPath;
            o.ResponseType = OpenIdConnectResponseType.Code;
            // A redirect (GET) rather than a cross-site form post, so the handshake's cookies can be SameSite=Lax.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.DisableTelemetry = true;
            o.GetClaimsFromUserInfoEndpoint = true;
            // The handshake's cookies and the provider's token lifetimes are judged by the clock the browser
            // and the provider share, whatever clock JitGate's own rules run on.
            o.TimeProvider = TimeProvider.System;
            foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            }
            o.TokenValidationParameters.NameClaimType = "name";
            o.ClaimActions.Remove("iss");
            o.ClaimActions.MapUniqueJsonKey("email", "email");
            o.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            o.Events = new OpenIdConnectEvents { OnTicketReceived = TicketReceivedAsync, OnRemoteFailure = RemoteFailureAsync };

            if (methods.Oidc is not { } config)
            {
                o.ClientId = "single-sign-on-is-off";
                o.Configuration = new OpenIdConnectConfiguration();
                return;
            }
            o.Authority = config.Authority;
            o.ClientId = config.ClientId;
            o.ClientSecret = config.ClientSecret;
            o.RequireHttpsMetadata = !(Uri.TryCreate(config.Authority, UriKind.Absolute, out var authority) && OidcSettings.IsLoopback(authority));
            o.Scope.Clear();
            foreach (var scope in config.Scopes) o.Scope.Add(scope);
            o.ClaimActions.MapJsonKey(config.GroupsClaim, config.GroupsClaim);
        }
    }

    /// <summary>The provider vouched for someone: make them a JitGate session, or send them back to the sign-in page with why not.</summary>
    private static async Task TicketReceivedAsync(TicketReceivedContext ctx)
    {
        var services = ctx.HttpContext.RequestServices;
        var principal = ctx.Principal ?? new ClaimsPrincipal();
        var groupsClaim = services.GetRequiredService<SignInMethods>().Oidc?.GroupsClaim ?? OidcConfig.DefaultGroupsClaim;
        var sub = principal.FindFirst("sub");
        var identity = new OidcIdentity(
            principal.FindFirstValue("iss") ?? sub?.Issuer ?? "",
            sub?.Value ?? "",
            principal.FindFirstValue("email"),
            bool.TryParse(principal.FindFirstValue("email_verified"), out var verified) ? verified : null,
            principal.FindFirstValue("name"),
            principal.FindAll(groupsClaim).Select(c => c.Value).ToList());
        var remote = ctx.HttpContext.Connection.RemoteIpAddress?.ToString();
        try
        {
            var response = await services.GetRequiredService<OidcSignIn>().HandleAsync(identity, remote, ctx.HttpContext.RequestAborted);
            var policy = services.GetRequiredService<PolicyCache>();
            var user = (await policy.GetAsync(ctx.HttpContext.RequestAborted)).Users[response.User.Id];
            ctx.Principal = SessionCookie.Principal(user, response.Token, remote, SessionCookie.CookieScheme);
            var properties = ctx.Properties ?? new AuthenticationProperties();
            // The session ends when its token does, as after a password sign-in.
            properties.ExpiresUtc = response.ExpiresAt;
            properties.IsPersistent = false;
            properties.AllowRefresh = false;
            ctx.Properties = properties;
            ctx.ReturnUri = ConsoleAccountEndpoints.SafeReturnUrl(ctx.ReturnUri);
        }
        catch (ApiProblem problem)
        {
            ctx.Response.Redirect(ConsoleAccountEndpoints.LoginWithError(problem.Message, services.GetRequiredService<IDataProtectionProvider>()));
            ctx.HandleResponse();
        }
    }

    /// <summary>The provider refused, or the answer did not check out (state, nonce, signature): back to the sign-in page, with a warning in the log.</summary>
    private static Task RemoteFailureAsync(RemoteFailureContext ctx)
    {
        var services = ctx.HttpContext.RequestServices;
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignInSetup))
            .LogWarning("Single sign-on did not complete: {Reason}", ctx.Failure?.Message);
        var error = ctx.Request.Query["error"].ToString();
        var message = error.Length > 0 && error.Length <= 40 && error.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"Your provider did not sign you in ({error})."
            : "Single sign-on did not complete; try again.";
        ctx.Response.Redirect(ConsoleAccountEndpoints.LoginWithError(message, services.GetRequiredService<IDataProtectionProvider>()));
        ctx.HandleResponse();
        return Task.CompletedTask;
    }
}
