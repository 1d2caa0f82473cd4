using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

/// <summary>Every signed-in user may list users, to name them in grants and requests.</summary>
public sealed class ListUsers(JitGateDb db)
{
    public async Task<List<UserDto>> HandleAsync(CancellationToken ct) =>
        await db.Users.AsNoTracking().OrderBy(u => u.Id)
            .Select(u => new UserDto(u.Id, u.Email, u.Name, u.WorkspaceRole) { Disabled = u.DisabledAt != null }).ToListAsync(ct);
}
