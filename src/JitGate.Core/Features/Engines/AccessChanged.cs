using JitGate.Core.Engines;
using JitGate.Core.Features.Query;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// The one step after any change of access commits (a grant, a revoke, an expiry, an approval, an
/// auto-approval, a changed expiry, a group's members, a database moved): the policy snapshot is
/// rebuilt, the principals' running queries are stopped when their access may have narrowed, and their
/// logins on server engines are brought in line before the change's answer is sent.
/// </summary>
public sealed class AccessChanged(JitGateDb db, PolicyCache policy, RunningQueries running, ReconcileEngineAccess reconcile, ILogger<AccessChanged> logger)
{
    /// <summary>After a change to one principal's bindings (a user's, or a group's, which reaches every member).</summary>
    /// <param name="principalType">"user" or "group".</param>
    /// <param name="principalId">The user's or group's id.</param>
    /// <param name="narrowed">True when access may have shrunk: running queries are stopped, so none goes on under what was taken away.</param>
    /// <param name="ct">Cancels the work.</param>
    public async Task AfterCommitAsync(string principalType, long principalId, bool narrowed, CancellationToken ct)
    {
        // Only this principal's bindings changed: the snapshot re-reads them alone.
        policy.InvalidateBindingsOf(principalType, principalId);
        var users = principalType == "user"
            ? [principalId]
            : await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == principalId).Select(m => m.UserId).ToListAsync(ct);
        await BringInLineAsync(users, narrowed, ct);
    }

    /// <summary>
    /// After a change to several principals' bindings at once: every one is marked in the snapshot before
    /// anything else may fail, then their users are brought in line together.
    /// </summary>
    public async Task AfterCommitAsync(IReadOnlyCollection<(string PrincipalType, long PrincipalId)> principals, bool narrowed, CancellationToken ct)
    {
        foreach (var (type, id) in principals) policy.InvalidateBindingsOf(type, id);
        var groups = principals.Where(p => p.PrincipalType == "group").Select(p => p.PrincipalId).ToList();
        var users = principals.Where(p => p.PrincipalType == "user").Select(p => p.PrincipalId).ToHashSet();
        if (groups.Count > 0)
        {
            users.UnionWith(await db.GroupMembers.AsNoTracking().Where(m => groups.Contains(m.GroupId)).Select(m => m.UserId).ToListAsync(ct));
        }
        await BringInLineAsync(users, narrowed, ct);
    }

    /// <summary>
    /// After a database moved to another project: which bindings reach it changed for everyone holding a
    /// login on it. Users without a login yet get one, with what the policy says then, on first use.
    /// </summary>
    public async Task AfterDatabaseMovedAsync(string databaseId, CancellationToken ct)
    {
        var users = await db.EngineRoles.AsNoTracking().Where(r => r.DatabaseId == databaseId).Select(r => r.UserId).Distinct().ToListAsync(ct);
        await AfterCommitAsync(users, narrowed: true, ct);
    }

    /// <summary>After a change that reaches these users (their groups, their account, their bindings' expiry): the whole snapshot is re-read.</summary>
    public async Task AfterCommitAsync(IReadOnlyCollection<long> users, bool narrowed, CancellationToken ct)
    {
        policy.Invalidate();
        await BringInLineAsync(users, narrowed, ct);
    }

    private async Task BringInLineAsync(IReadOnlyCollection<long> users, bool narrowed, CancellationToken ct)
    {
        if (narrowed)
        {
            foreach (var user in users) running.EndFor(user);
        }
        if (users.Count == 0) return;
        try
        {
            await reconcile.HandleAsync(users, force: false, ct);
        }
        catch (EngineException e)
        {
            // The change has committed and stands. The reconciler recorded the failure in the audit and left
            // the login failed closed (no login); its timer tries again, and a query meets a 503 until then.
            logger.LogWarning("Access changed but the engine could not be brought in line yet: {Message}", e.Message);
        }
    }
}
