using System.Globalization;
using System.Security.Claims;
using JitGate.Core.Features.Identity;
using JitGate.Core.Policy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace JitGate.Server.Auth;

/// <summary>
/// The console's session: an encrypted, HttpOnly cookie holding the signed-in user's id and the
/// session token that sign-in issued. A policy scheme sends requests that carry an Authorization
/// header to the bearer handler and everything else to the cookie, so both end in the same claims.
/// </summary>
internal static class SessionCookie
{
    public const string PolicyScheme = "JitGate";
    public const string CookieScheme = "JitGateSession";
    public const string TokenClaim = "jitgate:session-token";
    public const string RemoteAddressClaim = "jitgate:remote-address";
    public const string LoginPath = "/login";
    public const string CookieName = "jitgate.session";

    public static AuthenticationBuilder AddJitGateSessionCookie(this AuthenticationBuilder auth)
    {
        auth.AddPolicyScheme(PolicyScheme, "Bearer token or console session", o =>
            o.ForwardDefaultSelector = ctx => ctx.Request.Headers.Authorization.Count > 0 ? BearerAuthenticationHandler.SchemeName : CookieScheme);
        auth.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = LoginPath;
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/";
            o.SlidingExpiration = false;
            o.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = RefreshAsync,
                // API clients get problem+json, never a redirect to an HTML page.
                OnRedirectToLogin = ctx => IsApi(ctx.Request)
                    ? ProblemWriter.WriteAsync(ctx.HttpContext, 401, "unauthenticated", "Sign-in required",
                        "Send a valid token as 'Authorization: Bearer <token>' (POST /api/v1/auth/login gives one).")
                    : Redirect(ctx),
                OnRedirectToAccessDenied = ctx => IsApi(ctx.Request)
                    ? ProblemWriter.WriteAsync(ctx.HttpContext, 403, "forbidden", "Not allowed", "You may not do this.")
                    : Redirect(ctx),
            };
        });
        return auth;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>The claims both schemes produce for a user.</summary>
    public static ClaimsPrincipal Principal(PolicyUser user, string? sessionToken, string? remoteAddress, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Email, user.Email),
            new(ClaimTypes.Name, user.Name),
            new(ClaimTypes.Role, user.WorkspaceRole),
        };
        if (sessionToken is not null) claims.Add(new Claim(TokenClaim, sessionToken));
        if (remoteAddress is not null) claims.Add(new Claim(RemoteAddressClaim, remoteAddress));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>
    /// Checks the cookie's session token against the token store on every request, so a session ended
    /// anywhere (logout, a revoke, expiry) ends every copy of its cookie at once; and re-reads the user so
    /// that a changed workspace role applies at once and a removed user is signed out. The address is the
    /// current request's, for the audit trail.
    /// </summary>
    private static async Task RefreshAsync(CookieValidatePrincipalContext ctx)
    {
        var principal = ctx.Principal;
        var policy = ctx.HttpContext.RequestServices.GetRequiredService<PolicyCache>();
        var tokens = ctx.HttpContext.RequestServices.GetRequiredService<TokenValidator>();
        var sessionToken = principal?.FindFirstValue(TokenClaim);
        var valid = sessionToken is null ? null : await tokens.ValidateAsync(sessionToken, ctx.HttpContext.RequestAborted);
        if (principal is null || valid is null
            || !long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || valid.UserId != id
            || !(await policy.GetFreshAsync(ctx.HttpContext.RequestAborted)).Users.TryGetValue(id, out var user))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        var refreshed = Principal(user, sessionToken, ctx.HttpContext.Connection.RemoteIpAddress?.ToString(), CookieScheme);
        ((ClaimsIdentity)refreshed.Identity!).AddClaim(new Claim(BearerAuthenticationHandler.TokenIdClaim, valid.TokenId.ToString(CultureInfo.InvariantCulture)));
        ctx.ReplacePrincipal(refreshed);
    }
}
