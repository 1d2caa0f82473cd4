using System.Net.Mail;
using JitGate.Core.Common;
using JitGate.Core.Domain;

namespace JitGate.Core.Features.Identity;

internal static class IdentityRules
{
    public const int MinPasswordLength = 8;

    public static string NormalizeEmail(string? email)
    {
        var trimmed = (TextRules.Check("email", email) ?? "").Trim();
        if (trimmed.Length is 0 or > 320 || !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed)
        {
            throw ApiProblem.Validation("email must be a valid e-mail address, such as dev@example.com.");
        }
        return trimmed.ToLowerInvariant();
    }

    public static string RequireName(string? name)
    {
        var trimmed = (TextRules.Check("name", name) ?? "").Trim();
        if (trimmed.Length is 0 or > 200) throw ApiProblem.Validation("name is required (at most 200 characters).");
        return trimmed;
    }

    public static string RequirePassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > 1024)
        {
            throw ApiProblem.Validation($"password must have {MinPasswordLength} to 1024 characters.");
        }
        return password;
    }

    public static string RequireWorkspaceRole(string? role)
    {
        role ??= WorkspaceRoles.Member;
        if (!WorkspaceRoles.All.Contains(role))
        {
            throw ApiProblem.Validation($"workspaceRole must be one of {string.Join(", ", WorkspaceRoles.All)}.");
        }
        return role;
    }
}
