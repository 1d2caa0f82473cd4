using System.Security.Cryptography;
using JitGate.Core.Common;
using JitGate.Core.Features.Identity;
using JitGate.Core.Features.Tokens;
using JitGate.Core.Policy;
using JitGate.Server.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;

namespace JitGate.Server.Auth;

/// <summary>
/// Sign-up, sign-in and sign-out for the console: HTML form posts (antiforgery-checked) that set or
/// clear the session cookie, calling the same use cases as the API.
/// </summary>
internal static class ConsoleAccountEndpoints
{
    private const string ErrorPurpose = "JitGate.Console.FormError";

    public static IEndpointRouteBuilder MapConsoleAccount(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();

        account.MapPost("/login", async ([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
            Login login, PolicyCache policy, IDataProtectionProvider protection, HttpContext ctx, CancellationToken ct) =>
        {
            try
            {
                var response = await login.HandleAsync(new LoginRequest(email, password), Remote(ctx), ct);
                await SignInAsync(ctx, policy, response, ct);
                return Results.LocalRedirect(SafeReturnUrl(returnUrl));
            }
            catch (ApiProblem problem)
            {
                return Results.LocalRedirect(WithError(LoginUrl(email, returnUrl), problem.Message, protection));
            }
        }).RequireRateLimiting(IdentityEndpoints.LoginRateLimit);

        // Single sign-on: the provider's sign-in page, then back at /signin-oidc (OidcSignInSetup).
        account.MapGet("/login/oidc", async (string? returnUrl, SignInMethods methods, IDataProtectionProvider protection, CancellationToken ct) =>
        {
            await methods.RefreshAsync(ct);
            if (methods.Oidc is null) return Results.LocalRedirect(LoginWithError("Single sign-on is not set up in this workspace.", protection));
            return Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) }, [OidcSignInSetup.Scheme]);
        });

        // jitgate login: the signed-in user approved the CLI on the console's page (/cli/login); the browser
        // goes on to the CLI's loopback port with a code that only the CLI's PKCE verifier redeems.
        account.MapPost("/cli/approve", ([FromForm] int? port, [FromForm] string? state, [FromForm] string? codeChallenge, [FromForm] string? name,
            CliLogin cli, HttpContext ctx) =>
        {
            var request = CliLogin.Validate(port, state, codeChallenge, "S256", name);
            return Results.Redirect(cli.Approve(ctx.Actor(), request));
        }).RequireAuthorization();

        account.MapPost("/signup", async ([FromForm] string? email, [FromForm] string? name, [FromForm] string? password,
            Signup signup, Login login, PolicyCache policy, IDataProtectionProvider protection, HttpContext ctx, CancellationToken ct) =>
        {
            try
            {
                await signup.HandleAsync(new SignupRequest(email, name, password), Remote(ctx), ct);
                var response = await login.HandleAsync(new LoginRequest(email, password), Remote(ctx), ct);
                await SignInAsync(ctx, policy, response, ct);
                return Results.LocalRedirect("/");
            }
            catch (ApiProblem problem)
            {
                var back = "/signup?email=" + Uri.EscapeDataString(email ?? "") + "&name=" + Uri.EscapeDataString(name ?? "");
                return Results.LocalRedirect(WithError(back, problem.Message, protection));
            }
        }).RequireRateLimiting(IdentityEndpoints.LoginRateLimit);

        account.MapPost("/logout", async (Logout logout, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, HttpContext ctx, CancellationToken ct) =>
        {
            // The form carries no field, so no form binding checks the antiforgery token: check it here, or
            // another site could sign people out.
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            var token = ctx.User.FindFirst(SessionCookie.TokenClaim)?.Value;
            if (ctx.User.Identity?.IsAuthenticated == true && token is not null)
            {
                await logout.HandleAsync(ctx.Actor(), token, ct);
            }
            await ctx.SignOutAsync(SessionCookie.CookieScheme);
            return Results.LocalRedirect(SessionCookie.LoginPath);
        });
        return app;
    }

    /// <summary>Reads an error message that a form post passed back to its page; null when absent, altered or stale.</summary>
    public static string? ReadError(IDataProtectionProvider protection, string? protectedMessage)
    {
        if (string.IsNullOrEmpty(protectedMessage)) return null;
        try
        {
            return protection.CreateProtector(ErrorPurpose).ToTimeLimitedDataProtector().Unprotect(protectedMessage);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static async Task SignInAsync(HttpContext ctx, PolicyCache policy, LoginResponse response, CancellationToken ct)
    {
        policy.Invalidate();
        var user = (await policy.GetAsync(ct)).Users[response.User.Id];
        var principal = SessionCookie.Principal(user, response.Token, Remote(ctx), SessionCookie.CookieScheme);
        await ctx.SignInAsync(SessionCookie.CookieScheme, principal, new AuthenticationProperties
        {
            // The session ends when its token does.
            ExpiresUtc = response.ExpiresAt,
            IsPersistent = false,
            AllowRefresh = false,
        });
    }

    /// <summary>The sign-in page showing <paramref name="message"/>.</summary>
    public static string LoginWithError(string message, IDataProtectionProvider protection) => WithError(SessionCookie.LoginPath, message, protection);

    // The message travels encrypted and expires, so a crafted link cannot make the page say anything.
    private static string WithError(string url, string message, IDataProtectionProvider protection)
    {
        var token = protection.CreateProtector(ErrorPurpose).ToTimeLimitedDataProtector().Protect(message, TimeSpan.FromMinutes(5));
        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "e=" + Uri.EscapeDataString(token);
    }

    private static string LoginUrl(string? email, string? returnUrl) =>
        SessionCookie.LoginPath + "?email=" + Uri.EscapeDataString(email ?? "")
        + (string.IsNullOrEmpty(returnUrl) ? "" : "&returnUrl=" + Uri.EscapeDataString(SafeReturnUrl(returnUrl)));

    /// <summary>Only a path on this site, never another origin.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.StartsWith("/\\", StringComparison.Ordinal) && !url.StartsWith(SessionCookie.LoginPath, StringComparison.OrdinalIgnoreCase)
            ? url
            : "/";

    private static string? Remote(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString();
}
