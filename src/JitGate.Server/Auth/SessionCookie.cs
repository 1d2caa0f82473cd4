using System.Globalization;
using System.Security.Claims;
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

    public static AuthenticationBuilder AddJitGateSessionCookie(this AuthenticationBuilder auth)
    {
        auth.AddPolicyScheme(PolicyScheme, "Bearer token or console session", o =>
            o.ForwardDefaultSelector = ctx => ctx.Request.Headers.Authorization.Count > 0 ? BearerAuthenticationHandler.SchemeName : CookieScheme);
        auth.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = "jitgate.session";
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
    /// Re-reads the user on every request so that a changed workspace role applies at once and a
    /// removed user is signed out; the address is the current request's, for the audit trail.
    /// </summary>
    private static async Task RefreshAsync(CookieValidatePrincipalContext ctx)
    {
        var principal = ctx.Principal;
        var policy = ctx.HttpContext.RequestServices.GetRequiredService<PolicyCache>();
        if (principal is null
            || !long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !(await policy.GetFreshAsync(ctx.HttpContext.RequestAborted)).Users.TryGetValue(id, out var user))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        ctx.ReplacePrincipal(Principal(user, principal.FindFirstValue(TokenClaim),
            ctx.HttpContext.Connection.RemoteIpAddress?.ToString(), CookieScheme));
    }
}
