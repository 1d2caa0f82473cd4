using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

public sealed record ApprovalStepDto(string Role, string Status, string? By, DateTimeOffset? At, string? Comment);

public sealed record TimelineEntryDto(DateTimeOffset At, string? Actor, string Kind, string? Comment);

/// <summary>
/// An access request as the API answers it. <paramref name="Status"/>: pendingApproval, approved, rejected,
/// canceled or expired (nobody decided by <see cref="DecideBy"/>).
/// </summary>
public sealed record AccessRequestDto(
    long Id, string Project, string Requester, string Role, BindingScope? Scope, string? Duration, DateTimeOffset? ExpiresAt,
    string Reason, string RiskLevel, string Status, List<ApprovalStepDto> ApprovalSteps, long? BindingId, long? ExtendsBindingId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, List<TimelineEntryDto>? Timeline)
{
    /// <summary>When the asked window starts (the duration counts from it); null: at approval.</summary>
    public DateTimeOffset? StartsAt { get; init; }

    /// <summary>When a pending request expires if nobody decides it.</summary>
    public DateTimeOffset? DecideBy { get; init; }

    /// <summary>The incident the request names.</summary>
    public string? Incident { get; init; }
}

internal static class AccessRequestMapper
{
    public static async Task<AccessRequestDto> ToDtoAsync(JitGateDb db, AccessRequest r, bool withTimeline, CancellationToken ct) =>
        (await ToDtosAsync(db, [r], withTimeline, ct))[0];

    public static async Task<List<AccessRequestDto>> ToDtosAsync(JitGateDb db, IReadOnlyList<AccessRequest> requests, bool withTimeline, CancellationToken ct)
    {
        var ids = requests.Select(r => r.Id).ToList();
        var events = withTimeline
            ? await db.RequestEvents.AsNoTracking().Where(e => ids.Contains(e.RequestId)).OrderBy(e => e.Id).ToListAsync(ct)
            : [];
        var userIds = requests.Select(r => r.RequesterId)
            .Concat(requests.SelectMany(r => r.Steps).Where(s => s.ById != null).Select(s => s.ById!.Value))
            .Concat(events.Where(e => e.ActorId != null).Select(e => e.ActorId!.Value)).Distinct().ToList();
        var emails = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        string? Email(long? id) => id is { } v ? emails.GetValueOrDefault(v, "?") : null;
        return requests.Select(r => new AccessRequestDto(
            r.Id, r.ProjectId, Email(r.RequesterId)!, r.Role,
            r.ScopeJson is null ? null : Json.Deserialize<BindingScope>(r.ScopeJson),
            r.Duration, r.ExpiresAt, r.Reason, r.RiskLevel, r.Status,
            r.Steps.OrderBy(s => s.Index).Select(s => new ApprovalStepDto(s.Approver, s.Status, Email(s.ById), s.At, s.Comment)).ToList(),
            r.BindingId, r.ExtendsBindingId, r.CreatedAt, r.UpdatedAt,
            withTimeline ? events.Where(e => e.RequestId == r.Id).Select(e => new TimelineEntryDto(e.At, Email(e.ActorId), e.Kind, e.Comment)).ToList() : null)
        {
            StartsAt = r.StartsAt, DecideBy = r.DecideBy, Incident = r.IncidentId,
        }).ToList();
    }
}
