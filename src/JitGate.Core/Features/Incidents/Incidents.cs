using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Incidents;

/// <summary><c>PUT /settings/incidents</c>: the secret incident tools sign their deliveries with (16 to 200 characters).</summary>
public sealed record IncidentSettingsRequest(string? Secret);

/// <summary>Incidents JitGate knows, for everyone choosing one in a request; the webhook's secret, for admins.</summary>
public sealed class Incidents(JitGateDb db, SecretBox secrets, AuditLog audit)
{
    /// <summary>Open incidents first, then the most recently changed; at most 200.</summary>
    public async Task<List<IncidentDto>> ListAsync(CancellationToken ct) =>
        (await db.Incidents.AsNoTracking().ToListAsync(ct))
            .OrderBy(i => i.Status == Lifecycle.IncidentRules.Resolved ? 1 : 0).ThenByDescending(i => i.UpdatedAt)
            .Take(200).Select(IncidentDto.From).ToList();

    /// <summary>Sets the inbound webhook's secret (workspace admins); stored encrypted, never returned.</summary>
    /// <exception cref="ApiProblem">403 for anyone but an admin; 400 naming <c>secret</c>.</exception>
    public async Task SetSecretAsync(Actor actor, IncidentSettingsRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var secret = TextRules.Check("secret", request?.Secret, multiLine: false);
        if (secret is null || secret.Length is < 16 or > 200)
        {
            throw ApiProblem.Validation("secret is required: 16 to 200 characters, shared with the incident tool.", new Dictionary<string, object?> { ["field"] = "secret" });
        }
        await WorkspaceSettingsStore.SetAsync(db, IncidentWebhook.SecretKey, secrets.Protect(secret), ct);
        audit.Add(db, actor, AuditActions.IncidentSettingsUpdate, "settings/incidents", AuditLog.Success, new { secretSet = true });
        await db.SaveChangesAsync(ct);
    }
}
