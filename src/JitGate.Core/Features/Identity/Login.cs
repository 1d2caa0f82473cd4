using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Identity;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, UserDto User);

/// <summary>Exchanges an e-mail and password for an expiring bearer token, stored only as a hash.</summary>
public sealed class Login(JitGateDb db, IPasswordHasher<User> hasher, AuditLog audit, TimeProvider clock, IOptions<JitGateOptions> options)
{
    // Verifying against a fixed hash when the user is unknown keeps both failures equally slow.
    private static readonly User Nobody = new() { Email = "", Name = "", PasswordHash = "", WorkspaceRole = "" };
    private static readonly Lazy<string> NobodyHash = new(() => new PasswordHasher<User>().HashPassword(Nobody, Guid.NewGuid().ToString()));

    public async Task<LoginResponse> HandleAsync(LoginRequest request, string? remoteAddress, CancellationToken ct)
    {
        var email = (request.Email ?? "").Trim().ToLowerInvariant();
        var password = request.Password ?? "";
        var user = email.Length == 0 ? null : await db.Users.FirstOrDefaultAsync(u => u.Email == email, ct);
        bool verified;
        if (user is null || user.IsServiceAccount)
        {
            _ = hasher.VerifyHashedPassword(Nobody, NobodyHash.Value, password);
            verified = false;
        }
        else
        {
            verified = hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
        }
        if (user is null || !verified)
        {
            audit.Add(db, null, "auth.login", $"user:{email}", AuditLog.Failure, new { reason = "invalid credentials" },
                actorEmail: email.Length == 0 ? "anonymous" : email, remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            throw new ApiProblem(401, "invalid-credentials", "Sign-in failed", "The e-mail or password is not correct.");
        }

        var now = clock.GetUtcNow();
        var token = TokenHasher.NewToken();
        var expiresAt = now + options.Value.TokenLifetime;
        db.ApiTokens.Add(new ApiToken { UserId = user.Id, TokenHash = TokenHasher.Hash(token), Kind = "session", CreatedAt = now, ExpiresAt = expiresAt });
        audit.Add(db, new Actor(user.Id, user.Email, user.WorkspaceRole, remoteAddress), "auth.login", $"user:{user.Email}", AuditLog.Success);
        await db.SaveChangesAsync(ct);
        return new LoginResponse(token, expiresAt, UserDto.From(user));
    }
}
