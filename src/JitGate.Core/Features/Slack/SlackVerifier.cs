using System.Globalization;
using JitGate.Core.Common;
using JitGate.Core.Features.Settings;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Slack;

/// <summary>Checks Slack's request signature and refuses requests older than five minutes (replays).</summary>
public sealed class SlackVerifier(JitGateDb db, SecretBox secrets, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public async Task VerifyAsync(string? timestamp, string? signature, string body, CancellationToken ct)
    {
        var stored = await WorkspaceSettingsStore.ValueAsync(db, SlackSettings.SigningSecretKey, ct)
            ?? throw new ApiProblem(401, "slack-not-configured", "Slack is not configured", "Set the Slack signing secret first (PUT /api/v1/settings/slack).");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799))).Duration() > MaxAge)
        {
            throw new ApiProblem(401, "slack-signature", "Request refused", "The Slack request timestamp is missing or more than 5 minutes off.");
        }
        var expected = WebhookSignature.SlackSign(secrets.Unprotect(stored), timestamp!, body);
        if (signature is null || !WebhookSignature.FixedTimeEquals(expected, signature))
        {
            throw new ApiProblem(401, "slack-signature", "Request refused", "The Slack request signature does not match.");
        }
    }
}
