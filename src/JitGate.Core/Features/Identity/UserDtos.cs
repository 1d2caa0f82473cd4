using JitGate.Core.Domain;

namespace JitGate.Core.Features.Identity;

public sealed record UserDto(long Id, string Email, string Name, string WorkspaceRole)
{
    public static UserDto From(User u) => new(u.Id, u.Email, u.Name, u.WorkspaceRole);
}

public sealed record UserEnvelope(UserDto User);
