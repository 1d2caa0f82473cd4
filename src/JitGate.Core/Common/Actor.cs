namespace JitGate.Core.Common;

/// <summary>Who is acting: the signed-in user, with the address the request came from.</summary>
public sealed record Actor(long UserId, string Email, string WorkspaceRole, string? RemoteAddress)
{
    /// <summary>The token this request was signed in with (bearer or the console session's); null when none, as from Slack.</summary>
    public long? TokenId { get; init; }

    public bool IsAdmin => WorkspaceRole == Domain.WorkspaceRoles.Admin;
    public bool IsAdminOrDba => WorkspaceRole is Domain.WorkspaceRoles.Admin or Domain.WorkspaceRoles.Dba;
}
