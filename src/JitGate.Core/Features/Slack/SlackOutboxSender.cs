using System.Text;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// Posts what <see cref="SlackOutbox"/> stored, oldest first and in order per response_url. The HTTP client
/// (<see cref="HttpClientName"/>) retries a refused or failed post a few times at once through its Polly
/// pipeline; what still fails is tried again on later passes with growing pauses until Slack's response_url
/// has expired (30 minutes), then marked failed.
/// </summary>
public sealed class SlackOutboxSender(JitGateDb db, SecretBox secrets, IHttpClientFactory http, TimeProvider clock)
{
    /// <summary>The named HttpClient for Slack: a per-attempt timeout and Polly retries (configured by the server).</summary>
    public const string HttpClientName = "slack";

    /// <summary>How long Slack accepts posts to a response_url.</summary>
    public static readonly TimeSpan ResponseUrlLifetime = TimeSpan.FromMinutes(30);

    /// <summary>Sends the messages that are due; answers how many were tried.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.SlackOutbound.Where(m => m.Status == DeliveryStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.Id).Take(50).ToListAsync(ct);
        if (due.Count == 0) return 0;
        // Posts to one response_url go one after another, so Slack shows the last state last; different
        // URLs (different people's clicks) go side by side, so one slow channel holds up nobody else.
        var byUrl = due.GroupBy(m => secrets.Unprotect(m.ProtectedUrl)).ToList();
        var results = await Task.WhenAll(byUrl.Select(g => SendInOrderAsync(g.Key, g.ToList(), ct)));
        foreach (var (message, error) in results.SelectMany(r => r))
        {
            message.Attempts++;
            message.LastError = error;
            var at = clock.GetUtcNow();
            if (error is null)
            {
                message.Status = DeliveryStatus.Delivered;
                message.DeliveredAt = at;
            }
            else if (at - message.CreatedAt >= ResponseUrlLifetime)
            {
                message.Status = DeliveryStatus.Failed;
            }
            else
            {
                message.NextAttemptAt = at + WebhookDispatcher.Backoff(message.Attempts);
            }
        }
        foreach (var group in byUrl)
        {
            // Those held back behind a failure become due with it, not before it.
            var retry = group.FirstOrDefault(m => m.Status == DeliveryStatus.Pending && m.LastError is not null && m.Attempts > 0);
            if (retry is null) continue;
            foreach (var later in group.Where(m => m.Id > retry.Id && m.Status == DeliveryStatus.Pending)) later.NextAttemptAt = retry.NextAttemptAt;
        }
        await db.SaveChangesAsync(ct);
        return due.Count;
    }

    private async Task<List<(SlackOutboundMessage Message, string? Error)>> SendInOrderAsync(string url, List<SlackOutboundMessage> messages, CancellationToken ct)
    {
        var results = new List<(SlackOutboundMessage, string?)>();
        var failed = false;
        foreach (var message in messages)
        {
            // After a failure the later messages to the same URL wait too: sent now, they would overtake it.
            if (failed) break;
            var error = await SendAsync(url, message.BodyJson, ct);
            results.Add((message, error));
            failed = error is not null;
        }
        return results;
    }

    private async Task<string?> SendAsync(string url, string body, CancellationToken ct)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.CreateClient(HttpClientName).PostAsync(new Uri(url), content, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException)
        {
            return e is HttpRequestException ? e.Message : "timed out";
        }
    }
}
