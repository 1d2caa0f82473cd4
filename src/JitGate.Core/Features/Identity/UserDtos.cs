using JitGate.Core.Domain;

namespace JitGate.Core.Features.Identity;

/// <summary>A user as the API shows one; <c>disabled</c> when an admin disabled them.</summary>
public sealed record UserDto(long Id, string Email, string Name, string WorkspaceRole)
{
    public bool Disabled { get; init; }

    public static UserDto From(User u) => new(u.Id, u.Email, u.Name, u.WorkspaceRole) { Disabled = u.DisabledAt is not null };
}

public sealed record UserEnvelope(UserDto User);
