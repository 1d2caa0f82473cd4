using System.Text.Json.Nodes;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// A message for Slack: the HTTP answer to a command or click, or what is posted to its response_url.
/// <paramref name="Text"/> is mrkdwn whose user-written parts are already escaped; it is cut to Block Kit's
/// limit (<see cref="SlackLimits.MessageText"/>), ending in "…" and <paramref name="Link"/> when there is one.
/// </summary>
public sealed record SlackReply(string Text, bool ReplaceOriginal = false, bool Ephemeral = true, string? Link = null)
{
    /// <summary>The JSON Slack reads: response_type, replace_original and text.</summary>
    public JsonObject ToJson() => new()
    {
        ["response_type"] = Ephemeral ? "ephemeral" : "in_channel",
        ["replace_original"] = ReplaceOriginal,
        ["text"] = SlackLimits.FitMrkdwn(Text, SlackLimits.MessageText, Link),
    };
}
