using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

/// <summary>Revokes the token the caller signed in with.</summary>
public sealed class Logout(JitGateDb db, AuditLog audit, TimeProvider clock, TokenValidator tokens)
{
    public async Task HandleAsync(Actor actor, string token, CancellationToken ct)
    {
        var hash = TokenHasher.Hash(token);
        var row = await db.ApiTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (row is null || row.UserId != actor.UserId) return;
        var ended = await Tokens.TokenRevocation.RevokeWithDescendantsAsync(db, row, clock.GetUtcNow(), tokens, ct);
        audit.Add(db, actor, "auth.logout", $"user:{actor.Email}", AuditLog.Success, new { tokensEnded = ended });
        await db.SaveChangesAsync(ct);
    }
}
