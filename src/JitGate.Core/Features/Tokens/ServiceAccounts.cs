using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Tokens;

/// <summary>
/// Service accounts are users without a password that automation acts as; bindings name them as
/// user:&lt;email&gt; like anyone else. Admins create them, issue and revoke their tokens.
/// </summary>
public sealed class ServiceAccounts(JitGateDb db, AuditLog audit, PolicyCache policy, TokenValidator validator, TimeProvider clock)
{
    public const string EmailDomain = "service.jitgate.local";

    public async Task<NewServiceAccountDto> CreateAsync(Actor actor, CreateServiceAccountRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var name = (TextRules.Check("name", request.Name) ?? "").Trim();
        var slug = Slug.From(name);
        if (name.Length is 0 or > 100 || slug.Length == 0) throw ApiProblem.Validation("name is required (letters or digits, at most 100 characters).");
        var role = IdentityRules.RequireWorkspaceRole(request.WorkspaceRole);
        var email = $"{slug}@{EmailDomain}";
        if (await db.Users.AnyAsync(u => u.Email == email, ct)) throw ApiProblem.Conflict($"A service account named '{slug}' already exists.");
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new User { Email = email, Name = name, PasswordHash = "", WorkspaceRole = role, IsServiceAccount = true, CreatedAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        var (row, token) = TokenIssuer.Issue(db, user.Id, "service", new CreateTokenRequest("initial", request.Duration, request.ExpiresAt), now);
        audit.Add(db, actor, "serviceAccount.create", $"user:{email}", AuditLog.Success, new { name, workspaceRole = role, tokenExpiresAt = row.ExpiresAt });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        policy.Invalidate();
        return new NewServiceAccountDto(user.Id, name, email, role, token, row.ExpiresAt);
    }

    public async Task<List<ServiceAccountDto>> ListAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var accounts = await db.Users.AsNoTracking().Where(u => u.IsServiceAccount).OrderBy(u => u.Id).ToListAsync(ct);
        var ids = accounts.Select(a => a.Id).ToList();
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => ids.Contains(t.UserId)).OrderBy(t => t.Id).ToListAsync(ct);
        return accounts.Select(a => new ServiceAccountDto(a.Id, a.Name, a.Email, a.WorkspaceRole,
            tokens.Where(t => t.UserId == a.Id).Select(TokenIssuer.ToDto).ToList())).ToList();
    }

    public async Task<NewTokenDto> IssueTokenAsync(Actor actor, long accountId, CreateTokenRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var account = await LoadAsync(accountId, ct);
        var (row, token) = TokenIssuer.Issue(db, account.Id, "service", request, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        audit.Add(db, actor, "token.create", $"tokens/{row.Id}", AuditLog.Success, new { account = account.Email, row.Name, row.ExpiresAt });
        await db.SaveChangesAsync(ct);
        return new NewTokenDto(row.Id, row.Name, token, row.ExpiresAt);
    }

    public async Task RevokeTokenAsync(Actor actor, long accountId, long tokenId, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var account = await LoadAsync(accountId, ct);
        var row = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == account.Id, ct) ?? throw ApiProblem.NotFound($"Token {tokenId}");
        if (row.RevokedAt is not null) return;
        var ended = await TokenRevocation.RevokeWithDescendantsAsync(db, row, clock.GetUtcNow(), validator, ct);
        audit.Add(db, actor, "token.revoke", $"tokens/{row.Id}", AuditLog.Success, new { account = account.Email, row.Name, tokensEnded = ended });
        await db.SaveChangesAsync(ct);
    }

    private async Task<User> LoadAsync(long accountId, CancellationToken ct) =>
        await db.Users.FirstOrDefaultAsync(u => u.Id == accountId && u.IsServiceAccount, ct) ?? throw ApiProblem.NotFound($"Service account {accountId}");
}
