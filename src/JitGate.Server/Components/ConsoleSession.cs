using System.Globalization;
using System.Security.Claims;
using JitGate.Core.Common;
using JitGate.Core.Policy;
using JitGate.Server.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace JitGate.Server.Components;

/// <summary>
/// How console pages call the use cases: as the signed-in user, with the same permission checks as
/// the API. Each call gets its own service scope, because a circuit lives long and its components
/// load concurrently, which one shared DbContext would not survive.
/// </summary>
public sealed class ConsoleSession(AuthenticationStateProvider auth, PolicyCache policy, IServiceScopeFactory scopes, TimeProvider clock)
{
    public async Task<Actor> ActorAsync(CancellationToken ct = default)
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        if (!long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !(await policy.GetAsync(ct)).Users.TryGetValue(id, out var current))
        {
            throw new ApiProblem(401, "unauthenticated", "Sign-in required", "Your session has ended; sign in again.");
        }
        // The role is read now, not from sign-in time, so a changed role applies at once.
        return new Actor(current.Id, current.Email, current.WorkspaceRole, user.FindFirstValue(SessionCookie.RemoteAddressClaim));
    }

    public async Task<PolicyUser?> UserAsync(CancellationToken ct = default)
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        return long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && (await policy.GetAsync(ct)).Users.TryGetValue(id, out var current) ? current : null;
    }

    public async Task<TResult> CallAsync<TService, TResult>(Func<TService, Actor, CancellationToken, Task<TResult>> call, CancellationToken ct = default)
        where TService : notnull
    {
        var actor = await ActorAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TService>(), actor, ct);
    }

    public async Task CallAsync<TService>(Func<TService, Actor, CancellationToken, Task> call, CancellationToken ct = default)
        where TService : notnull
    {
        var actor = await ActorAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        await call(scope.ServiceProvider.GetRequiredService<TService>(), actor, ct);
    }

    /// <summary>The project roles the user holds now, to decide which actions to offer; the use cases check again.</summary>
    public async Task<HashSet<string>> ProjectRolesAsync(Actor actor, string projectId, CancellationToken ct = default) =>
        (await policy.GetAsync(ct)).ProjectRolesOf(actor.UserId, projectId, clock.GetUtcNow());
}
