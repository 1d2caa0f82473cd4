using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

public sealed record SignupRequest(string? Email, string? Name, string? Password);

/// <summary>The first user becomes the workspace admin; later signups need self-signup to be open.</summary>
public sealed class Signup(JitGateDb db, IPasswordHasher<User> hasher, AuditLog audit, PolicyCache policy, TimeProvider clock)
{
    public async Task<UserDto> HandleAsync(SignupRequest request, string? remoteAddress, CancellationToken ct)
    {
        var email = IdentityRules.NormalizeEmail(request.Email);
        var name = IdentityRules.RequireName(request.Name);
        var password = IdentityRules.RequirePassword(request.Password);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var first = !await db.Users.AnyAsync(ct);
        if (!first && !await WorkspaceSettingsStore.SignupOpenAsync(db, ct))
        {
            throw new ApiProblem(403, "signup-closed", "Signup is closed",
                "This workspace already has an admin; ask them to add you (POST /api/v1/users) or to open self-signup.");
        }
        // Self-signup makes a password account, which password sign-in off would never let in.
        if (!first && !await WorkspaceSettingsStore.PasswordSignInAsync(db, ct)) throw SignInPolicy.PasswordSignInOff();
        if (await db.Users.AnyAsync(u => u.Email == email, ct)) throw ApiProblem.Conflict($"A user with e-mail {email} already exists.");

        var user = new User
        {
            Email = email,
            Name = name,
            PasswordHash = "",
            WorkspaceRole = first ? WorkspaceRoles.Admin : WorkspaceRoles.Member,
            CreatedAt = clock.GetUtcNow(),
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        audit.Add(db, null, "user.signup", $"user:{email}", AuditLog.Success,
            new { user.WorkspaceRole }, actorEmail: email, remoteAddress: remoteAddress);
        if (first)
        {
            // Projects made before anyone signed up (the sample) are the first admin's, as if they had created them.
            var owned = new List<Binding>();
            foreach (var projectId in await ProjectOwners.UnownedAsync(db, user.CreatedAt, ct))
            {
                owned.Add(ProjectOwners.Add(db, projectId, user.Id, "Created with the workspace; the first admin owns it.", user.CreatedAt));
            }
            await db.SaveChangesAsync(ct);
            foreach (var binding in owned) ProjectOwners.Audit(db, audit, binding, email);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        policy.Invalidate();
        return UserDto.From(user);
    }
}
