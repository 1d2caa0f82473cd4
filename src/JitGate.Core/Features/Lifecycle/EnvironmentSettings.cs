using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Lifecycle;

/// <summary><c>PATCH /environments/{id}</c>: <c>maxAccessDuration</c> (ISO 8601), or "" to leave the environment to the workspace maximum.</summary>
public sealed record UpdateEnvironmentRequest(string? MaxAccessDuration);

/// <summary>
/// An environment's own maximum access duration (Prod 8 h, say): the shortest maximum that applies wins,
/// on every path that makes or changes access (<see cref="Bindings.ExpiryRules.MaximumForAsync"/>).
/// </summary>
public sealed class EnvironmentSettings(JitGateDb db, AuditLog audit)
{
    /// <summary>Sets or clears the environment's maximum; workspace admins only.</summary>
    /// <exception cref="ApiProblem">403; 404 for an unknown environment; 400 naming <c>maxAccessDuration</c>.</exception>
    public async Task<EnvironmentDto> UpdateAsync(Actor actor, string environmentId, UpdateEnvironmentRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var environment = await db.Environments.FirstOrDefaultAsync(e => e.Id == environmentId, ct) ?? throw ApiProblem.NotFound($"Environment '{environmentId}'");
        var before = environment.MaxAccessDuration;
        if (request?.MaxAccessDuration is { } text)
        {
            environment.MaxAccessDuration = text.Length == 0 ? null : Durations.Format(Durations.Parse("maxAccessDuration", text));
        }
        audit.Add(db, actor, AuditActions.EnvironmentUpdate, $"environments/{environmentId}", AuditLog.Success,
            new { before = new { maxAccessDuration = before }, after = new { maxAccessDuration = environment.MaxAccessDuration } });
        await db.SaveChangesAsync(ct);
        return new EnvironmentDto(environment.Id, environment.Name, environment.Protected) { MaxAccessDuration = environment.MaxAccessDuration };
    }
}
