using System.Security.Cryptography;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Events;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Webhooks;

public sealed record CreateWebhookRequest(string? Type, string? Url, List<string>? Events, string? Secret);

public sealed record WebhookDto(long Id, string Project, string Type, string Url, List<string> Events, DateTimeOffset CreatedAt);

/// <summary>The webhook as created: a generated secret is shown here once, never again.</summary>
public sealed record NewWebhookDto(long Id, string Project, string Type, string Url, List<string> Events, DateTimeOffset CreatedAt, string? Secret);

public sealed record DeliveryAttemptDto(DateTimeOffset At, int? StatusCode, string? Error, long ElapsedMs);

public sealed record DeliveryDto(long Id, string EventId, string Event, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, DateTimeOffset NextAttemptAt, List<DeliveryAttemptDto> Log);

/// <summary>A project's webhooks: its owners and workspace admins manage them; secrets and URLs are kept encrypted.</summary>
public sealed class Webhooks(JitGateDb db, Permissions permissions, SecretBox secrets, AuditLog audit, TimeProvider clock, IOptions<JitGateOptions> options)
{
    public async Task<NewWebhookDto> CreateAsync(Actor actor, string projectId, CreateWebhookRequest request, CancellationToken ct)
    {
        await LoadProjectForManagerAsync(actor, projectId, ct);
        if (request.Type is null || !WebhookTypes.All.Contains(request.Type)) throw ApiProblem.Validation("type must be slack, teams or generic.");
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || request.Url!.Length > 2000)
        {
            throw ApiProblem.Validation("url must be an absolute http or https address.");
        }
        if (PublicAddresses.RefusalFor(url, options.Value.WebhooksToPrivateNetworks) is { } refusal) throw ApiProblem.Validation(refusal);
        var events = request.Events is null || request.Events.Count == 0 ? EventNames.All.ToList() : request.Events.Distinct().ToList();
        var unknown = events.Except(EventNames.All).ToList();
        if (unknown.Count > 0) throw ApiProblem.Validation($"Unknown events {string.Join(", ", unknown)}; known: {string.Join(", ", EventNames.All)}.");
        if (request.Secret is { Length: > 200 }) throw ApiProblem.Validation("secret may have at most 200 characters.");
        TextRules.Check("secret", request.Secret);
        var generated = request.Type == WebhookTypes.Generic && string.IsNullOrEmpty(request.Secret)
            ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : null;
        var secret = string.IsNullOrEmpty(request.Secret) ? generated : request.Secret;

        var hook = new Webhook
        {
            ProjectId = projectId,
            Type = request.Type,
            ProtectedUrl = secrets.Protect(url.ToString()),
            UrlHint = $"{url.Scheme}://{url.Authority}/…",
            EventsJson = Json.Serialize(events),
            ProtectedSecret = secret is null ? null : secrets.Protect(secret),
            CreatedBy = actor.UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Webhooks.Add(hook);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Add(db, actor, "webhook.create", $"projects/{projectId}/webhooks/{hook.Id}", AuditLog.Success, new { hook.Type, url = hook.UrlHint, events });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new NewWebhookDto(hook.Id, projectId, hook.Type, hook.UrlHint, events, hook.CreatedAt, generated);
    }

    public async Task<List<WebhookDto>> ListAsync(Actor actor, string projectId, CancellationToken ct)
    {
        await LoadProjectForManagerAsync(actor, projectId, ct);
        var hooks = await db.Webhooks.AsNoTracking().Where(w => w.ProjectId == projectId).OrderBy(w => w.Id).ToListAsync(ct);
        return hooks.Select(ToDto).ToList();
    }

    public async Task DeleteAsync(Actor actor, string projectId, long id, CancellationToken ct)
    {
        var hook = await LoadAsync(actor, projectId, id, ct);
        db.Webhooks.Remove(hook);
        audit.Add(db, actor, "webhook.delete", $"projects/{projectId}/webhooks/{id}", AuditLog.Success, new { hook.Type, url = hook.UrlHint });
        await db.SaveChangesAsync(ct);
    }

    public async Task<List<DeliveryDto>> DeliveriesAsync(Actor actor, string projectId, long id, CancellationToken ct)
    {
        await LoadAsync(actor, projectId, id, ct);
        var rows = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Log).Where(d => d.WebhookId == id)
            .OrderByDescending(d => d.Id).Take(200).ToListAsync(ct);
        return rows.Select(d => new DeliveryDto(d.Id, d.EventId, d.Event, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.DeliveredAt, d.NextAttemptAt,
            d.Log.OrderBy(a => a.Id).Select(a => new DeliveryAttemptDto(a.At, a.StatusCode, a.Error, a.ElapsedMs)).ToList())).ToList();
    }

    /// <summary>Sends a delivery again, keeping its event id so receivers can tell it is the same event.</summary>
    public async Task ResendAsync(Actor actor, string projectId, long id, long deliveryId, CancellationToken ct)
    {
        await LoadAsync(actor, projectId, id, ct);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == id, ct) ?? throw ApiProblem.NotFound($"Delivery {deliveryId}");
        delivery.Status = DeliveryStatus.Pending;
        delivery.NextAttemptAt = clock.GetUtcNow();
        delivery.LeaseUntil = null;
        audit.Add(db, actor, "webhook.resend", $"projects/{projectId}/webhooks/{id}/deliveries/{deliveryId}", AuditLog.Success, new { delivery.EventId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Queues a "ping" event for this webhook alone.</summary>
    public async Task<DeliveryDto> TestAsync(Actor actor, string projectId, long id, CancellationToken ct)
    {
        await LoadAsync(actor, projectId, id, ct);
        var now = clock.GetUtcNow();
        var eventId = Guid.CreateVersion7().ToString("n");
        var delivery = new WebhookDelivery
        {
            WebhookId = id, EventId = eventId, Event = "ping", Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
            PayloadJson = Json.Serialize(new { id = eventId, @event = "ping", occurredAt = now, project = projectId }),
        };
        db.WebhookDeliveries.Add(delivery);
        audit.Add(db, actor, "webhook.test", $"projects/{projectId}/webhooks/{id}", AuditLog.Success, new { eventId });
        await db.SaveChangesAsync(ct);
        return new DeliveryDto(delivery.Id, eventId, "ping", delivery.Status, 0, null, null, now, null, now, []);
    }

    private async Task<Webhook> LoadAsync(Actor actor, string projectId, long id, CancellationToken ct)
    {
        await LoadProjectForManagerAsync(actor, projectId, ct);
        return await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.ProjectId == projectId, ct) ?? throw ApiProblem.NotFound($"Webhook {id}");
    }

    private async Task LoadProjectForManagerAsync(Actor actor, string projectId, CancellationToken ct) =>
        await permissions.LoadProjectForWebhookManagerAsync(actor, projectId, ct);

    private static WebhookDto ToDto(Webhook w) => new(w.Id, w.ProjectId, w.Type, w.UrlHint, Json.Deserialize<List<string>>(w.EventsJson) ?? [], w.CreatedAt);
}
