using JitGate.Core.Domain;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Tokens;

/// <summary>
/// Ends a token and every token made with it (<see cref="ApiToken.ParentTokenId"/>), so that a token
/// minted while signed in with another never outlives it: logging out, or revoking a personal token,
/// ends what was made with it too.
/// </summary>
public static class TokenRevocation
{
    /// <summary>Marks <paramref name="token"/> and its descendants revoked at <paramref name="now"/> (saved by the caller) and forgets them from the validator's memory; returns the ids revoked.</summary>
    public static async Task<List<long>> RevokeWithDescendantsAsync(JitGateDb db, ApiToken token, DateTimeOffset now, TokenValidator validator, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(validator);
        var revoked = new List<long>();
        var frontier = new List<ApiToken> { token };
        // Lineage is short (a token made with a token made with ...); the bound keeps a cycle from looping.
        for (var depth = 0; frontier.Count > 0 && depth < 32; depth++)
        {
            foreach (var t in frontier)
            {
                if (t.RevokedAt is null) t.RevokedAt = now;
                revoked.Add(t.Id);
                validator.Forget(t.TokenHash);
            }
            var ids = frontier.Select(t => t.Id).ToList();
            frontier = await db.ApiTokens.Where(t => t.ParentTokenId != null && ids.Contains(t.ParentTokenId.Value) && !revoked.Contains(t.Id)).ToListAsync(ct);
        }
        return revoked;
    }
}
