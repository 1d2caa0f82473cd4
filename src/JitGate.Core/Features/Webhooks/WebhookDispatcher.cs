using System.Diagnostics;
using System.Globalization;
using System.Text;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Webhooks;

/// <summary>
/// Moves events from the outbox to webhooks: fans each new event out to the project's subscribed
/// webhooks (one delivery per webhook and event, never two), then sends what is due, retrying
/// failures with exponential backoff. Runs in the background, so a slow receiver delays nobody.
/// </summary>
public sealed class WebhookDispatcher(JitGateDb db, SecretBox secrets, IHttpClientFactory http, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";
    public const int MaxAttempts = 8;
    private const string CursorKey = "webhookCursor";

    public async Task<int> FanOutAsync(CancellationToken ct)
    {
        var cursor = long.Parse(await WorkspaceSettingsStore.ValueAsync(db, CursorKey, ct) ?? "0", CultureInfo.InvariantCulture);
        var events = await db.Outbox.AsNoTracking().Where(e => e.Seq > cursor).OrderBy(e => e.Seq).Take(500).ToListAsync(ct);
        if (events.Count == 0) return 0;
        var projects = events.Select(e => e.ProjectId).Distinct().ToList();
        var hooks = await db.Webhooks.AsNoTracking().Where(w => projects.Contains(w.ProjectId)).ToListAsync(ct);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var e in events)
        {
            foreach (var hook in hooks.Where(h => h.ProjectId == e.ProjectId && (Json.Deserialize<List<string>>(h.EventsJson) ?? []).Contains(e.Event)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    WebhookId = hook.Id, EventId = e.Id, OutboxSeq = e.Seq, Event = e.Event, PayloadJson = e.PayloadJson,
                    Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
                });
            }
        }
        await WorkspaceSettingsStore.SetAsync(db, CursorKey, events[^1].Seq.ToString(CultureInfo.InvariantCulture), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return events.Count;
    }

    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.WebhookDeliveries.Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.Id).Take(20).ToListAsync(ct);
        if (due.Count == 0) return 0;
        var hookIds = due.Select(d => d.WebhookId).Distinct().ToList();
        var hooks = await db.Webhooks.AsNoTracking().Where(w => hookIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, ct);
        var results = await Task.WhenAll(due.Select(d => SendAsync(hooks[d.WebhookId], d, ct)));
        foreach (var (delivery, attempt) in due.Zip(results))
        {
            delivery.Attempts++;
            delivery.LastStatusCode = attempt.StatusCode;
            delivery.LastError = attempt.Error;
            db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery.Id, At = now, StatusCode = attempt.StatusCode, Error = attempt.Error, ElapsedMs = attempt.ElapsedMs });
            if (attempt.StatusCode is >= 200 and < 300)
            {
                delivery.Status = DeliveryStatus.Delivered;
                delivery.DeliveredAt = clock.GetUtcNow();
            }
            else if (delivery.Attempts >= MaxAttempts)
            {
                delivery.Status = DeliveryStatus.Failed;
            }
            else
            {
                delivery.NextAttemptAt = clock.GetUtcNow() + Backoff(delivery.Attempts);
            }
        }
        await db.SaveChangesAsync(ct);
        return due.Count;
    }

    /// <summary>2 s, 4 s, 8 s ... capped at 10 minutes.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, Math.Pow(2, attempts)));

    private sealed record Attempt(int? StatusCode, string? Error, long ElapsedMs);

    private async Task<Attempt> SendAsync(Webhook hook, WebhookDelivery delivery, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var body = WebhookMessages.Body(hook.Type, delivery.PayloadJson);
            using var message = new HttpRequestMessage(HttpMethod.Post, secrets.Unprotect(hook.ProtectedUrl))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            message.Headers.Add("X-JitGate-Event", delivery.Event);
            message.Headers.Add("X-JitGate-Event-Id", delivery.EventId);
            if (hook.ProtectedSecret is not null)
            {
                var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                message.Headers.Add("X-JitGate-Timestamp", timestamp);
                message.Headers.Add("X-JitGate-Signature", WebhookSignature.Sign(secrets.Unprotect(hook.ProtectedSecret), timestamp, body));
            }
            using var response = await http.CreateClient(HttpClientName).SendAsync(message, ct);
            return new Attempt((int)response.StatusCode, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}", stopwatch.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException)
        {
            return new Attempt(null, e is HttpRequestException ? e.Message : "timed out", stopwatch.ElapsedMilliseconds);
        }
    }
}
