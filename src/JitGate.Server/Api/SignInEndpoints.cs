using JitGate.Core.Features.Identity;
using JitGate.Core.Features.Query;
using JitGate.Core.Features.Tokens;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

/// <summary>What the caller's access is now, the CLI's token from a browser sign-in, and single sign-on settings.</summary>
internal static class SignInEndpoints
{
    /// <summary>What <c>GET /me/access</c> answers: the databases the caller can see with what they may read, and the reading bindings that reach them.</summary>
    public sealed record MyAccessDto(List<DatabaseAccessDto> Databases, List<ReadingAccessDto> Bindings);

    public static RouteGroupBuilder MapSignIn(this RouteGroupBuilder api)
    {
        api.MapGet("/me/access", async (string? project, MyAccess access, HttpContext ctx, CancellationToken ct) =>
        {
            var actor = ctx.Actor();
            return TypedResults.Ok(new MyAccessDto(await access.DatabasesAsync(actor, project, ct), await access.ReadingBindingsAsync(actor, ct)));
        }).RequireAuthorization().WithTags("Identity").WithName("getMyAccess").Problems(401, 404)
            .WithSummary("What you may read now and until when: databases (whole or some tables) and the bindings that give it");

        api.MapPost("/auth/cli/token", async (CliTokenRequest body, CliLogin login, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await login.RedeemAsync(body, ctx.Connection.RemoteIpAddress?.ToString(), ct)))
            .RequireRateLimiting(IdentityEndpoints.LoginRateLimit).WithTags("Identity").WithName("redeemCliToken").Problems(400)
            .WithSummary("Redeem the code a browser sign-in brought to jitgate login's loopback port, with its PKCE verifier, for a personal token (RFC 8252, RFC 7636)")
;

        var oidc = api.MapGroup("/settings/oidc").WithTags("Settings").RequireAuthorization().Problems(401, 403);
        oidc.MapGet("/", async (OidcSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)))
            .WithName("getOidcSettings").WithSummary("The OpenID Connect provider for single sign-on, and the redirect URI to register there (the secret is never shown)");
        oidc.MapPut("/", async (UpdateOidcSettingsRequest body, OidcSettings s, SignInMethods methods, HttpContext ctx, CancellationToken ct) =>
        {
            var saved = await s.PutAsync(ctx.Actor(), body, ct);
            await methods.RefreshAsync(ct);
            return TypedResults.Ok(saved);
        }).WithName("putOidcSettings").Problems(400, 409).WithSummary("Set the OpenID Connect provider: authority, clientId, clientSecret, scopes, groupsClaim, allowedDomains");
        oidc.MapDelete("/", async (OidcSettings s, SignInMethods methods, HttpContext ctx, CancellationToken ct) =>
        {
            await s.DeleteAsync(ctx.Actor(), ct);
            await methods.RefreshAsync(ct);
            return TypedResults.NoContent();
        }).WithName("deleteOidcSettings").Problems(409).WithSummary("Turn single sign-on off");
        return api;
    }
}
