using Microsoft.Extensions.Logging;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// Called after a change of access commits (grant, revoke, approval, group change, a database moved to
/// another project): brings the engine-side roles of the affected users in line before the change's
/// answer is sent.
/// </summary>
public sealed class EnforceAccessChange(JitGateDb db, ReconcilePostgresAccess reconcile, ILogger<EnforceAccessChange> logger)
{
    public async Task ForPrincipalAsync(string principalType, long principalId, CancellationToken ct)
    {
        var users = principalType == "user"
            ? [principalId]
            : await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == principalId).Select(m => m.UserId).ToListAsync(ct);
        await ReconcileAsync(users, ct);
    }

    /// <summary>
    /// For a database whose project changed: every user holding an engine role on it, since which bindings
    /// reach it changed. Users without a role yet get one, with what the policy says now, on first use.
    /// </summary>
    public async Task ForDatabaseAsync(string databaseId, CancellationToken ct)
    {
        var users = await db.EngineRoles.AsNoTracking().Where(r => r.DatabaseId == databaseId).Select(r => r.UserId).Distinct().ToListAsync(ct);
        await ReconcileAsync(users, ct);
    }

    private async Task ReconcileAsync(List<long> users, CancellationToken ct)
    {
        if (users.Count == 0) return;
        try
        {
            await reconcile.HandleAsync(users, force: false, ct);
        }
        catch (JitGate.Engines.Postgres.PostgresEngineException e)
        {
            // The change has committed and stands. The reconciler recorded the failure in the audit and left
            // the role failed closed (no login); its timer tries again, and a query meets a 503 until then.
            logger.LogWarning("Access changed but the engine could not be brought in line yet: {Message}", e.Message);
        }
    }
}
