using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

public sealed record UpdateUserRequest(string? Name, string? WorkspaceRole);

/// <summary>An admin renames a user or changes their workspace role; the last admin cannot be demoted.</summary>
public sealed class UpdateUser(JitGateDb db, AuditLog audit, PolicyCache policy)
{
    public async Task<UserDto> HandleAsync(Actor actor, long userId, UpdateUserRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw ApiProblem.NotFound($"User {userId}");
        if (request.Name is not null) user.Name = IdentityRules.RequireName(request.Name);
        if (request.WorkspaceRole is not null)
        {
            var role = IdentityRules.RequireWorkspaceRole(request.WorkspaceRole);
            if (user.WorkspaceRole == WorkspaceRoles.Admin && role != WorkspaceRoles.Admin
                && await db.Users.CountAsync(u => u.WorkspaceRole == WorkspaceRoles.Admin, ct) == 1)
            {
                throw ApiProblem.Conflict("This is the last workspace admin; make someone else an admin first.");
            }
            user.WorkspaceRole = role;
        }
        audit.Add(db, actor, "user.update", $"user:{user.Email}", AuditLog.Success, new { request.Name, request.WorkspaceRole });
        await db.SaveChangesAsync(ct);
        policy.Invalidate();
        return UserDto.From(user);
    }
}
