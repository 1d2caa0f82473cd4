using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Slack;

public sealed record SlackSettingsRequest(string? SigningSecret, string? BotToken);

public sealed record SlackSettingsDto(bool Configured, bool HasBotToken);

/// <summary>The Slack app's signing secret and bot token, stored encrypted and never shown again.</summary>
public sealed class SlackSettings(JitGateDb db, SecretBox secrets, AuditLog audit)
{
    public const string SigningSecretKey = "slack.signingSecret";
    public const string BotTokenKey = "slack.botToken";

    public async Task<SlackSettingsDto> PutAsync(Actor actor, SlackSettingsRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        if (string.IsNullOrWhiteSpace(request.SigningSecret) || request.SigningSecret.Length > 200)
        {
            throw ApiProblem.Validation("signingSecret is required: the Signing Secret from your Slack app's Basic Information page.");
        }
        await WorkspaceSettingsStore.SetAsync(db, SigningSecretKey, secrets.Protect(TextRules.Check("signingSecret", request.SigningSecret)!.Trim()), ct);
        if (!string.IsNullOrWhiteSpace(request.BotToken)) await WorkspaceSettingsStore.SetAsync(db, BotTokenKey, secrets.Protect(TextRules.Check("botToken", request.BotToken)!.Trim()), ct);
        audit.Add(db, actor, "settings.slack.update", "settings/slack", AuditLog.Success, new { botToken = !string.IsNullOrWhiteSpace(request.BotToken) });
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, ct);
    }

    public async Task<SlackSettingsDto> GetAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        return new SlackSettingsDto(await WorkspaceSettingsStore.ValueAsync(db, SigningSecretKey, ct) is not null,
            await WorkspaceSettingsStore.ValueAsync(db, BotTokenKey, ct) is not null);
    }
}
