using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

public sealed record CreateUserRequest(string? Email, string? Name, string? Password, string? WorkspaceRole);

/// <summary>An admin adds a user with a workspace role (workspaceMember by default).</summary>
public sealed class CreateUser(JitGateDb db, IPasswordHasher<User> hasher, AuditLog audit, PolicyCache policy, TimeProvider clock)
{
    public async Task<UserDto> HandleAsync(Actor actor, CreateUserRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var email = IdentityRules.NormalizeEmail(request.Email);
        var name = IdentityRules.RequireName(request.Name);
        var password = IdentityRules.RequirePassword(request.Password);
        var role = IdentityRules.RequireWorkspaceRole(request.WorkspaceRole);
        if (await db.Users.AnyAsync(u => u.Email == email, ct)) throw ApiProblem.Conflict($"A user with e-mail {email} already exists.");

        var user = new User { Email = email, Name = name, PasswordHash = "", WorkspaceRole = role, CreatedAt = clock.GetUtcNow() };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        audit.Add(db, actor, "user.create", $"user:{email}", AuditLog.Success, new { workspaceRole = role });
        await db.SaveChangesAsync(ct);
        policy.Invalidate();
        return UserDto.From(user);
    }
}
