using System.Security.Cryptography;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Slack;

public sealed record LinkSlackRequest(string? Code);

public sealed record SetSlackUserRequest(string? SlackUserId);

/// <summary>
/// Links Slack users to JitGate users, so a click in Slack acts as that person under the same rules
/// as the web. A Slack user gets a one-time code from "/jit link" and redeems it while signed in; an
/// admin may also set the link directly.
/// </summary>
public sealed class SlackUsers(JitGateDb db, AuditLog audit, PolicyCache policy, TimeProvider clock)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    public async Task<Actor?> ActorForAsync(string slackUserId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.SlackUserId == slackUserId, ct);
        return user is null ? null : new Actor(user.Id, user.Email, user.WorkspaceRole, "slack");
    }

    public async Task<string> NewLinkCodeAsync(string slackUserId, CancellationToken ct)
    {
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        db.SlackLinkCodes.Add(new SlackLinkCode { CodeHash = TokenHasher.Hash(code), SlackUserId = slackUserId, ExpiresAt = clock.GetUtcNow() + CodeLifetime });
        await db.SaveChangesAsync(ct);
        return code;
    }

    public async Task<UserDto> RedeemAsync(Actor actor, LinkSlackRequest request, CancellationToken ct)
    {
        var hash = TokenHasher.Hash(request.Code?.Trim() ?? "");
        var code = await db.SlackLinkCodes.FirstOrDefaultAsync(c => c.CodeHash == hash, ct);
        if (code is null || code.ExpiresAt <= clock.GetUtcNow()) throw ApiProblem.Validation("This link code is unknown or expired; run /jit link in Slack again.");
        db.SlackLinkCodes.Remove(code);
        return await LinkAsync(actor, actor.UserId, code.SlackUserId, ct);
    }

    public async Task<UserDto> SetAsync(Actor actor, long userId, SetSlackUserRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var slackUserId = request.SlackUserId?.Trim();
        if (string.IsNullOrEmpty(slackUserId) || slackUserId.Length > 40) throw ApiProblem.Validation("slackUserId is required, such as U024BE7LH.");
        return await LinkAsync(actor, userId, slackUserId, ct);
    }

    private async Task<UserDto> LinkAsync(Actor actor, long userId, string slackUserId, CancellationToken ct)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) ?? throw ApiProblem.NotFound($"User {userId}");
        foreach (var other in await db.Users.Where(u => u.SlackUserId == slackUserId && u.Id != userId).ToListAsync(ct)) other.SlackUserId = null;
        user.SlackUserId = slackUserId;
        audit.Add(db, actor, "user.slack.link", $"user:{user.Email}", AuditLog.Success, new { slackUserId });
        await db.SaveChangesAsync(ct);
        policy.Invalidate();
        return UserDto.From(user);
    }
}
