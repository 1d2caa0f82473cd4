using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Tokens;

/// <summary>A user's personal access tokens for scripts: create (shown once), list, revoke.</summary>
public sealed class PersonalTokens(JitGateDb db, Permissions permissions, AuditLog audit, TokenValidator validator, TimeProvider clock)
{
    /// <summary>A new token of the caller's, shown once; people only (<see cref="Permissions.RequirePersonAsync"/>).</summary>
    /// <exception cref="ApiProblem">403 for a service account; 400 for a name or lifetime out of bounds.</exception>
    public async Task<NewTokenDto> CreateAsync(Actor actor, CreateTokenRequest request, CancellationToken ct)
    {
        await permissions.RequirePersonAsync(actor, ct);
        var (row, token) = TokenIssuer.Issue(db, actor.UserId, "personal", request, clock.GetUtcNow());
        if (actor.TokenId is { } parentId
            && await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == parentId && t.Kind != "session", ct) is { } parent)
        {
            // Made with a personal or service token (not a password session): it ends when that token does, never later.
            row.ParentTokenId = parent.Id;
            if (parent.ExpiresAt < row.ExpiresAt) row.ExpiresAt = parent.ExpiresAt;
        }
        await db.SaveChangesAsync(ct);
        audit.Add(db, actor, "token.create", $"tokens/{row.Id}", AuditLog.Success, new { row.Name, row.Kind, row.ExpiresAt });
        await db.SaveChangesAsync(ct);
        return new NewTokenDto(row.Id, row.Name, token, row.ExpiresAt);
    }

    public async Task<List<TokenDto>> ListAsync(Actor actor, CancellationToken ct) =>
        (await db.ApiTokens.AsNoTracking().Where(t => t.UserId == actor.UserId && t.Kind == "personal").OrderBy(t => t.Id).ToListAsync(ct))
            .Select(TokenIssuer.ToDto).ToList();

    public async Task RevokeAsync(Actor actor, long tokenId, CancellationToken ct)
    {
        var row = await permissions.LoadOwnPersonalTokenAsync(actor, tokenId, ct);
        if (row.RevokedAt is not null) return;
        var ended = await TokenRevocation.RevokeWithDescendantsAsync(db, row, clock.GetUtcNow(), validator, ct);
        audit.Add(db, actor, "token.revoke", $"tokens/{row.Id}", AuditLog.Success, new { row.Name, tokensEnded = ended });
        await db.SaveChangesAsync(ct);
    }
}
