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
            .RequireRateLimiting(LoginRateLimit).WithName("signUp").Problems(400, 403, 409, 429)
            .WithSummary("Sign up; the first user becomes the workspace admin");
        auth.MapPost("/login", async (LoginRequest body, Login login, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await login.HandleAsync(body, Remote(ctx), ct)))
            .RequireRateLimiting(LoginRateLimit).WithName("logIn").Problems(400, 401, 429)
            .WithSummary("Exchange e-mail and password for a bearer token");
        auth.MapPost("/logout", async (Logout logout, HttpContext ctx, CancellationToken ct) =>
        {
            // The token this call was signed in with: the bearer's, or the console session's.
            var token = ctx.BearerToken() ?? ctx.User.FindFirst(SessionCookie.TokenClaim)?.Value;
            if (token is not null) await logout.HandleAsync(ctx.Actor(), token, ct);
            if (ctx.BearerToken() is null) await ctx.SignOutAsync(SessionCookie.CookieScheme);
            return TypedResults.NoContent();
        }).RequireAuthorization().WithName("logOut").Problems(401).WithSummary("Revoke the token (or end the console session) used for this call, and every token made with it");

        api.MapGet("/me", async (HttpContext ctx, PolicyCache policy, CancellationToken ct) =>
        {
            var actor = ctx.Actor();
            var user = (await policy.GetAsync(ct)).Users[actor.UserId];
            return TypedResults.Ok(new UserDto(user.Id, user.Email, user.Name, user.WorkspaceRole));
        }).RequireAuthorization().WithTags("Identity").WithName("getMe").Problems(401).WithSummary("The signed-in user");

        var users = api.MapGroup("/users").WithTags("Identity").RequireAuthorization().Problems(401);
        users.MapPost("/", async (CreateUserRequest body, CreateUser create, HttpContext ctx, CancellationToken ct) =>
        {
            var user = await create.HandleAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/users/{user.Id}", user);
        }).WithName("createUser").Problems(400, 403, 409).WithSummary("Add a user (workspace admins)");
        users.MapGet("/", async (ListUsers list, CancellationToken ct) => TypedResults.Ok(await list.HandleAsync(ct)))
            .WithName("listUsers").WithSummary("Every user of the workspace");
        users.MapPatch("/{id:long}", async (long id, UpdateUserRequest body, UpdateUser update, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await update.HandleAsync(ctx.Actor(), id, body, ct)))
            .WithName("updateUser").Problems(400, 403, 404, 409).WithSummary("Change a user's name or workspace role (workspace admins)");

        var groups = api.MapGroup("/groups").WithTags("Identity").RequireAuthorization().Problems(401);
        groups.MapPost("/", async (CreateGroupRequest body, Groups g, HttpContext ctx, CancellationToken ct) =>
        {
            var group = await g.CreateAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/groups/{group.Id}", group);
        }).WithName("createGroup").Problems(400, 403, 409).WithSummary("Add a group that bindings can name as group:<email> (workspace admins)");
        groups.MapGet("/", async (Groups g, CancellationToken ct) => TypedResults.Ok(await g.ListAsync(ct)))
            .WithName("listGroups").WithSummary("Every group and its members");
        groups.MapPut("/{id:long}/members", async (long id, List<string> body, Groups g, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await g.SetMembersAsync(ctx.Actor(), id, body, ct)))
            .WithName("setGroupMembers").Problems(400, 403, 404).WithSummary("Replace a group's members, given by e-mail (workspace admins)");
        return api;
    }

    private static string? Remote(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString();
}
