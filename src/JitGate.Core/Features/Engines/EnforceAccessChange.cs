using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// Called after a change of access commits (grant, revoke, approval, group change): brings the
/// engine-side roles of the affected users in line before the change's answer is sent.
/// </summary>
public sealed class EnforceAccessChange(JitGateDb db, ReconcilePostgresAccess reconcile)
{
    public async Task ForPrincipalAsync(string principalType, long principalId, CancellationToken ct)
    {
        var users = principalType == "user"
            ? [principalId]
            : await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == principalId).Select(m => m.UserId).ToListAsync(ct);
        if (users.Count == 0) return;
        await reconcile.HandleAsync(users, force: false, ct);
    }
}
