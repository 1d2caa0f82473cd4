using System.Text.Json.Serialization;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// The form-encoded body Slack sends for a slash command, as Slack's "Implementing slash commands" page
/// lists it (the fields JitGate reads; Slack sends a few more).
/// </summary>
/// <param name="Command">The command typed, "/jit".</param>
/// <param name="Text">What followed the command, such as "request hr_prod employee 4h incident 42".</param>
/// <param name="UserId">The Slack user who typed it (linked to a JitGate user with "/jit link").</param>
/// <param name="ResponseUrl">Where replies may be posted for 30 minutes.</param>
/// <param name="TeamId">The Slack workspace.</param>
/// <param name="ChannelId">The channel it was typed in.</param>
public sealed record SlackCommandForm(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("response_url")] string? ResponseUrl,
    [property: JsonPropertyName("team_id")] string? TeamId,
    [property: JsonPropertyName("channel_id")] string? ChannelId);

/// <summary>
/// The form-encoded body Slack sends when a button of a JitGate message is clicked: one field,
/// <c>payload</c>, holding the JSON of a <c>block_actions</c> interaction (Slack's "Handling user
/// interaction" page): <c>user.id</c>, <c>actions[0].action_id</c> (approve, reject or open),
/// <c>actions[0].value</c> (the request id) and <c>response_url</c>.
/// </summary>
/// <param name="Payload">The interaction, as JSON text.</param>
public sealed record SlackInteractionForm([property: JsonPropertyName("payload")] string Payload);
