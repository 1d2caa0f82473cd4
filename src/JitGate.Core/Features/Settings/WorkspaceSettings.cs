using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Settings;

public sealed record WorkspaceSettingsDto(bool SignupOpen, string MaxAccessDuration);

public sealed record UpdateWorkspaceSettingsRequest(bool? SignupOpen, string? MaxAccessDuration);

/// <summary>Self-signup and the longest access a grant or request may give.</summary>
public sealed class WorkspaceSettings(JitGateDb db, AuditLog audit)
{
    public static readonly TimeSpan Ceiling = TimeSpan.FromDays(366);

    public async Task<WorkspaceSettingsDto> GetAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        return await ReadAsync(ct);
    }

    public async Task<WorkspaceSettingsDto> UpdateAsync(Actor actor, UpdateWorkspaceSettingsRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        if (request.SignupOpen is { } open) await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.SignupOpenKey, open ? "true" : "false", ct);
        if (request.MaxAccessDuration is { } text)
        {
            if (!Durations.TryParse(text, out var max) || max <= TimeSpan.Zero || max > Ceiling)
            {
                throw ApiProblem.Validation("maxAccessDuration must be an ISO 8601 duration between PT1M and P366D, such as P30D.");
            }
            await WorkspaceSettingsStore.SetAsync(db, WorkspaceSettingsStore.MaxAccessDurationKey, Durations.Format(max), ct);
        }
        audit.Add(db, actor, "settings.workspace.update", "settings/workspace", AuditLog.Success, request);
        await db.SaveChangesAsync(ct);
        return await ReadAsync(ct);
    }

    private async Task<WorkspaceSettingsDto> ReadAsync(CancellationToken ct) =>
        new(await WorkspaceSettingsStore.SignupOpenAsync(db, ct), Durations.Format(await WorkspaceSettingsStore.MaxAccessDurationAsync(db, ct)));
}
