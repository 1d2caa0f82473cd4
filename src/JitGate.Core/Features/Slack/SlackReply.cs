using System.Text;
using System.Text.Json.Nodes;
using JitGate.Core.Features.Webhooks;

namespace JitGate.Core.Features.Slack;

/// <summary>A message for Slack: returned as the HTTP answer and, for button clicks, posted to the response_url.</summary>
public sealed record SlackReply(string Text, bool ReplaceOriginal = false, bool Ephemeral = true)
{
    public JsonObject ToJson() => new()
    {
        ["response_type"] = Ephemeral ? "ephemeral" : "in_channel",
        ["replace_original"] = ReplaceOriginal,
        ["text"] = Text,
    };

    /// <summary>Posts to Slack's response_url; a slow or failing Slack never fails the action that was already done.</summary>
    public async Task PostAsync(IHttpClientFactory http, string? responseUrl, CancellationToken ct)
    {
        if (!Uri.TryCreate(responseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")) return;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var content = new StringContent(ToJson().ToJsonString(), Encoding.UTF8, "application/json");
            using var _ = await http.CreateClient(WebhookDispatcher.HttpClientName).PostAsync(url, content, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            // Slack shows nothing; the action itself is recorded in JitGate.
        }
    }
}
