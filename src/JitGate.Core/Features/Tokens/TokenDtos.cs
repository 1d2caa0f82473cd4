namespace JitGate.Core.Features.Tokens;

public sealed record CreateTokenRequest(string? Name, string? Duration, DateTimeOffset? ExpiresAt);

/// <summary>A token as listed: never the token itself.</summary>
public sealed record TokenDto(long Id, string? Name, string Kind, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A token just made: the only time its value is shown.</summary>
public sealed record NewTokenDto(long Id, string? Name, string Token, DateTimeOffset ExpiresAt);

public sealed record CreateServiceAccountRequest(string? Name, string? WorkspaceRole, string? Duration, DateTimeOffset? ExpiresAt);

public sealed record ServiceAccountDto(long Id, string Name, string Email, string WorkspaceRole, List<TokenDto> Tokens);

/// <summary>POST /service-accounts answers the account with its first token, shown once.</summary>
public sealed record NewServiceAccountDto(long Id, string Name, string Email, string WorkspaceRole, string Token, DateTimeOffset TokenExpiresAt);
