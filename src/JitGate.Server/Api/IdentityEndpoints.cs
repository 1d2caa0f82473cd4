using Microsoft.AspNetCore.Authentication;
using JitGate.Core.Common;
using JitGate.Core.Features.Identity;
using JitGate.Core.Policy;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class IdentityEndpoints
{
    public const string LoginRateLimit = "login";

    public static RouteGroupBuilder MapIdentity(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Identity");
        auth.MapPost("/signup", async (SignupRequest body, Signup signup, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Created("/api/v1/me", new UserEnvelope(await signup.HandleAsync(body, Remote(ctx), ct))))
            .RequireRateLimiting(LoginRateLimit)
            .WithSummary("Sign up; the first user becomes the workspace admin");
        auth.MapPost("/login", async (LoginRequest body, Login login, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await login.HandleAsync(body, Remote(ctx), ct)))
            .RequireRateLimiting(LoginRateLimit)
            .WithSummary("Exchange e-mail and password for a bearer token");
        auth.MapPost("/logout", async (Logout logout, HttpContext ctx, CancellationToken ct) =>
        {
            // The token this call was signed in with: the bearer's, or the console session's.
            var token = ctx.BearerToken() ?? ctx.User.FindFirst(SessionCookie.TokenClaim)?.Value;
            if (token is not null) await logout.HandleAsync(ctx.Actor(), token, ct);
            if (ctx.BearerToken() is null) await ctx.SignOutAsync(SessionCookie.CookieScheme);
            return TypedResults.NoContent();
        }).RequireAuthorization().WithSummary("Revoke the token (or end the console session) used for this call, and every token made with it");

        api.MapGet("/me", async (HttpContext ctx, PolicyCache policy, CancellationToken ct) =>
        {
            var actor = ctx.Actor();
            var user = (await policy.GetAsync(ct)).Users[actor.UserId];
            return TypedResults.Ok(new UserDto(user.Id, user.Email, user.Name, user.WorkspaceRole));
        }).RequireAuthorization().WithTags("Identity").WithSummary("The signed-in user");

        var users = api.MapGroup("/users").WithTags("Identity").RequireAuthorization();
        users.MapPost("/", async (CreateUserRequest body, CreateUser create, HttpContext ctx, CancellationToken ct) =>
        {
            var user = await create.HandleAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/users/{user.Id}", user);
        });
        users.MapGet("/", async (ListUsers list, CancellationToken ct) => TypedResults.Ok(await list.HandleAsync(ct)));
        users.MapPatch("/{id:long}", async (long id, UpdateUserRequest body, UpdateUser update, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await update.HandleAsync(ctx.Actor(), id, body, ct)));

        var groups = api.MapGroup("/groups").WithTags("Identity").RequireAuthorization();
        groups.MapPost("/", async (CreateGroupRequest body, Groups g, HttpContext ctx, CancellationToken ct) =>
        {
            var group = await g.CreateAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/groups/{group.Id}", group);
        });
        groups.MapGet("/", async (Groups g, CancellationToken ct) => TypedResults.Ok(await g.ListAsync(ct)));
        groups.MapPut("/{id:long}/members", async (long id, List<string> body, Groups g, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await g.SetMembersAsync(ctx.Actor(), id, body, ct)));
        return api;
    }

    private static string? Remote(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString();
}
