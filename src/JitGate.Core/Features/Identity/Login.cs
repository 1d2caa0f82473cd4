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

/// <summary>
/// Exchanges an e-mail and password for an expiring bearer token, stored only as a hash. With password
/// sign-in off only the break-glass admin may (403 <c>password-sign-in-off</c>); a disabled user may not
/// (403 <c>account-disabled</c>, told only to someone who knows the password).
/// </summary>
public sealed class Login(JitGateDb db, IPasswordHasher<User> hasher, AuditLog audit, TimeProvider clock, IOptions<JitGateOptions> options)
{
    // Verifying against a fixed hash when the user is unknown keeps both failures equally slow.
    private static readonly User Nobody = new() { Email = "", Name = "", PasswordHash = "", WorkspaceRole = "" };
    private static readonly Lazy<string> NobodyHash = new(() => new PasswordHasher<User>().HashPassword(Nobody, Guid.NewGuid().ToString()));

    public async Task<LoginResponse> HandleAsync(LoginRequest request, string? remoteAddress, CancellationToken ct)
    {
        var email = (request.Email ?? "").Trim().ToLowerInvariant();
        var password = request.Password ?? "";
        try
        {
            await SignInPolicy.RequirePasswordAllowedAsync(db, email, ct);
        }
        catch (ApiProblem)
        {
            audit.Add(db, null, "auth.login", $"user:{email}", AuditLog.Failure, new { reason = "password sign-in off" },
                actorEmail: email.Length == 0 ? "anonymous" : email, remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            throw;
        }
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

        if (user.DisabledAt is not null)
        {
            audit.Add(db, null, "auth.login", $"user:{email}", AuditLog.Failure, new { reason = "disabled" }, actorEmail: email, remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            SignInPolicy.RequireEnabled(user);
        }

        var (token, expiresAt) = SessionTokens.Issue(db, user, clock.GetUtcNow(), options.Value.TokenLifetime);
        audit.Add(db, new Actor(user.Id, user.Email, user.WorkspaceRole, remoteAddress), "auth.login", $"user:{user.Email}", AuditLog.Success, new { method = "password" });
        await db.SaveChangesAsync(ct);
        return new LoginResponse(token, expiresAt, UserDto.From(user));
    }
}
