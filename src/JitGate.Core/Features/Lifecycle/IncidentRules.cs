using JitGate.Core.Common;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Lifecycle;

/// <summary>
/// What a request or a break-glass may say about the incident it is for: the id of an incident JitGate knows
/// (from the incident webhook), which must not be resolved and then ends the access when it resolves, or a
/// free-text reference (a ticket id) that is only recorded.
/// </summary>
public static class IncidentRules
{
    /// <summary>Incident statuses, as the incident webhook sets them.</summary>
    public const string Triggered = "triggered", Acknowledged = "acknowledged", Resolved = "resolved";

    /// <summary>The incident reference to store, or null when none was given.</summary>
    /// <exception cref="ApiProblem">400 naming <c>incident</c> when it is too long, or names an incident that is already resolved.</exception>
    public static async Task<string?> CheckAsync(JitGateDb db, string? incident, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (string.IsNullOrEmpty(incident)) return null;
        if (incident.Length > 200) throw ApiProblem.Validation("incident may have at most 200 characters.", new Dictionary<string, object?> { ["field"] = "incident" });
        var known = await db.Incidents.AsNoTracking().Where(i => i.Id == incident).Select(i => new { i.Status, i.Title }).FirstOrDefaultAsync(ct);
        if (known is { Status: Resolved })
        {
            throw ApiProblem.Validation($"Incident {incident} ({known.Title}) is resolved; access cannot be tied to it.", new Dictionary<string, object?> { ["field"] = "incident" });
        }
        return incident;
    }

    /// <summary>The status of a known incident; "" for none or a free-text reference (for conditions such as <c>request.incident.status == "triggered"</c>).</summary>
    public static async Task<string> StatusAsync(JitGateDb db, string? incident, CancellationToken ct) =>
        incident is null ? "" : await db.Incidents.AsNoTracking().Where(i => i.Id == incident).Select(i => i.Status).FirstOrDefaultAsync(ct) ?? "";
}
