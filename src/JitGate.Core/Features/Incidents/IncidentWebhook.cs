using System.Globalization;
using System.Text.Json;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Lifecycle;
using JitGate.Core.Features.Settings;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Incidents;

/// <summary>
/// Incident tools open, acknowledge and resolve incidents in JitGate through a signed inbound webhook,
/// signed like JitGate's outbound ones (<c>X-JitGate-Timestamp</c>, <c>X-JitGate-Signature: sha256=</c>HMAC of
/// "timestamp.body" with the shared secret, at most 5 minutes old). Two bodies are understood: JitGate's
/// own <c>{id, status: triggered|acknowledged|resolved, title?, url?}</c>, and PagerDuty's v3 webhook
/// (<c>{event: {event_type: "incident.triggered"|..., data: {id, title, html_url, status}}}</c>, PagerDuty
/// developer docs, "V3 Webhooks"). When an incident resolves, access tied to it ends, after the project's grace.
/// </summary>
public sealed class IncidentWebhook(JitGateDb db, SecretBox secrets, AuditLog audit, AccessChanged accessChanged, TimeProvider clock)
{
    /// <summary>The workspace setting that holds the shared secret, encrypted.</summary>
    public const string SecretKey = "incidentWebhookSecret";

    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>Verifies and applies one delivery; answers the incident as JitGate now knows it.</summary>
    /// <exception cref="ApiProblem">401 <c>incident-signature</c> for a missing, stale or wrong signature (or no secret configured);
    /// 400 naming what the body lacks.</exception>
    public async Task<IncidentDto> HandleAsync(string? timestamp, string? signature, string body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var secret = await WorkspaceSettingsStore.ValueAsync(db, SecretKey, ct) is { } stored ? secrets.Unprotect(stored) : null;
        var now = clock.GetUtcNow();
        if (secret is null || timestamp is null || signature is null
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799))).Duration() > MaxAge
            || !WebhookSignature.FixedTimeEquals(WebhookSignature.Sign(secret, timestamp, body), signature))
        {
            throw new ApiProblem(401, "incident-signature", "Signature refused",
                "Sign the body as JitGate's webhooks are signed: X-JitGate-Timestamp (Unix seconds, within 5 minutes) and X-JitGate-Signature: sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\"> with the secret set in PUT /api/v1/settings/incidents.");
        }

        var (id, status, title, url, source) = Parse(body);
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null)
        {
            incident = new Incident { Id = id, Status = status, Source = source, OpenedAt = now, UpdatedAt = now };
            db.Incidents.Add(incident);
        }
        var wasResolved = incident.Status == IncidentRules.Resolved;
        incident.Status = status;
        incident.Title = title ?? incident.Title;
        incident.Url = url ?? incident.Url;
        incident.UpdatedAt = now;
        incident.ResolvedAt = status == IncidentRules.Resolved ? incident.ResolvedAt ?? now : null;
        audit.Add(db, null, AuditActions.IncidentUpdate, $"incidents/{id}", AuditLog.Success, new { id, status, title, url, source }, actorEmail: "system");

        var ended = new List<Binding>();
        if (status == IncidentRules.Resolved && !wasResolved)
        {
            // Access tied to it ends now, or after the project's grace; never later than it would have.
            var tied = await db.Bindings.Where(b => b.IncidentId == id && b.RevokedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now)).ToListAsync(ct);
            var projects = await db.Projects.AsNoTracking().Where(p => tied.Select(b => b.ProjectId).Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            foreach (var binding in tied)
            {
                var grace = binding.ProjectId is { } p && projects.TryGetValue(p, out var project) ? ProjectSettings.IncidentGraceOf(project) : TimeSpan.Zero;
                var end = now + grace;
                if (binding.ExpiresAt is { } e && e <= end) continue;
                var before = binding.ExpiresAt;
                binding.ExpiresAt = end;
                binding.ExpiringSoonNotifiedAt = null;
                audit.Add(db, null, AuditActions.BindingIncidentEnd, CreateBinding.BindingResource(binding), AuditLog.Success,
                    new { bindingId = binding.Id, incident = id, before, after = end, grace = Durations.Format(grace) }, actorEmail: "system");
                ended.Add(binding);
            }
        }
        await db.SaveChangesAsync(ct);
        if (ended.Count > 0)
        {
            await accessChanged.AfterCommitAsync(ended.Select(b => (b.PrincipalType, b.PrincipalId)).Distinct().ToList(), narrowed: true, ct);
        }
        return IncidentDto.From(incident);
    }

    /// <summary>Reads JitGate's generic body or a PagerDuty v3 webhook.</summary>
    private static (string Id, string Status, string? Title, string? Url, string Source) Parse(string body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiProblem.Validation("The body is not JSON: send {id, status, title?, url?} or a PagerDuty v3 webhook.");
        }
        if (root.ValueKind != JsonValueKind.Object) throw ApiProblem.Validation("The body must be a JSON object: {id, status, title?, url?} or a PagerDuty v3 webhook.");

        if (root.TryGetProperty("event", out var pd) && pd.ValueKind == JsonValueKind.Object)
        {
            var type = Text(pd, "event_type") ?? throw ApiProblem.Validation("event.event_type is required (incident.triggered, incident.acknowledged, incident.resolved).");
            var data = pd.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : throw ApiProblem.Validation("event.data is required.");
            var status = type switch
            {
                "incident.triggered" or "incident.reopened" or "incident.unacknowledged" => IncidentRules.Triggered,
                "incident.acknowledged" => IncidentRules.Acknowledged,
                "incident.resolved" => IncidentRules.Resolved,
                _ => Text(data, "status") is { } s && s is IncidentRules.Triggered or IncidentRules.Acknowledged or IncidentRules.Resolved ? s
                    : throw ApiProblem.Validation($"event.event_type '{Shorten(type)}' is not an incident's status change."),
            };
            return (Id(Text(data, "id"), "event.data.id"), status, Clip(Text(data, "title")), Clip(Text(data, "html_url")), "pagerduty");
        }

        var generic = Text(root, "status");
        if (generic is not (IncidentRules.Triggered or IncidentRules.Acknowledged or IncidentRules.Resolved))
        {
            throw ApiProblem.Validation("status must be triggered, acknowledged or resolved.", new Dictionary<string, object?> { ["field"] = "status" });
        }
        return (Id(Text(root, "id"), "id"), generic, Clip(Text(root, "title")), Clip(Text(root, "url")), "generic");
    }

    private static string Id(string? id, string field)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 200 || TextRules.FirstRefused(id, multiLine: false) is not null)
        {
            throw ApiProblem.Validation($"{field} is required: the incident's id in your tool (at most 200 characters, no control characters).",
                new Dictionary<string, object?> { ["field"] = field });
        }
        return id.Trim();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Clip(string? text) =>
        text is null ? null : TextRules.FirstRefused(text, multiLine: false) is not null ? null : text.Length > 500 ? text[..500] : text;

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}

/// <summary>An incident as the API answers it.</summary>
public sealed record IncidentDto(string Id, string Status, string? Title, string? Url, string Source, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ResolvedAt)
{
    public static IncidentDto From(Incident i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return new(i.Id, i.Status, i.Title, i.Url, i.Source, i.OpenedAt, i.UpdatedAt, i.ResolvedAt);
    }
}
