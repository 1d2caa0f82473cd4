using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

public sealed record ApprovalStepDto(string Role, string Status, string? By, DateTimeOffset? At, string? Comment);

public sealed record TimelineEntryDto(DateTimeOffset At, string? Actor, string Kind, string? Comment);

/// <summary>
/// The access an approved request gave: <c>active</c> until <paramref name="Until"/>, or ended
/// (<c>expired</c>, <c>revoked</c>) at <paramref name="Until"/>, by <paramref name="EndedBy"/> when revoked.
/// </summary>
public sealed record GrantedAccessDto(string Status, DateTimeOffset? Until, string? EndedBy);

/// <summary>
/// An access request as the API answers it. <paramref name="Status"/>: pendingApproval, approved, rejected,
/// canceled or expired (nobody decided by <c>DecideBy</c>); <paramref name="Access"/> tells what became of
/// the access it gave.
/// </summary>
public sealed record AccessRequestDto(
    long Id, string Project, string Requester, string Role, BindingScope? Scope, string? Duration, DateTimeOffset? ExpiresAt,
    string Reason, string RiskLevel, string Status, List<ApprovalStepDto> ApprovalSteps, long? BindingId, long? ExtendsBindingId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, List<TimelineEntryDto>? Timeline, GrantedAccessDto? Access = null)
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
    private sealed record Granted(long Id, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, long? RevokedBy, DateTimeOffset? ExpiryRecordedAt);

    /// <param name="now">Tells run-out access as expired at once; without it, once the expiry job has recorded it.</param>
    public static async Task<AccessRequestDto> ToDtoAsync(JitGateDb db, AccessRequest r, bool withTimeline, CancellationToken ct, DateTimeOffset? now = null) =>
        (await ToDtosAsync(db, [r], withTimeline, ct, now))[0];

    /// <param name="now">Tells run-out access as expired at once; without it, once the expiry job has recorded it.</param>
    public static async Task<List<AccessRequestDto>> ToDtosAsync(JitGateDb db, IReadOnlyList<AccessRequest> requests, bool withTimeline, CancellationToken ct, DateTimeOffset? now = null)
    {
        var ids = requests.Select(r => r.Id).ToList();
        var events = withTimeline
            ? await db.RequestEvents.AsNoTracking().Where(e => ids.Contains(e.RequestId)).OrderBy(e => e.Id).ToListAsync(ct)
            : [];
        var bindingIds = requests.Where(r => r.BindingId != null).Select(r => r.BindingId!.Value).ToList();
        var bindings = bindingIds.Count == 0 ? [] : await db.Bindings.AsNoTracking().Where(b => bindingIds.Contains(b.Id))
            .Select(b => new Granted(b.Id, b.ExpiresAt, b.RevokedAt, b.RevokedBy, b.ExpiryRecordedAt)).ToListAsync(ct);
        var userIds = requests.Select(r => r.RequesterId)
            .Concat(bindings.Where(b => b.RevokedBy != null).Select(b => b.RevokedBy!.Value))
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
            withTimeline ? Timeline(events.Where(e => e.RequestId == r.Id).Select(e => new TimelineEntryDto(e.At, Email(e.ActorId), e.Kind, e.Comment)), Access(r)) : null,
            Access(r))
        {
            StartsAt = r.StartsAt, DecideBy = r.DecideBy, Incident = r.IncidentId,
        }).ToList();

        GrantedAccessDto? Access(AccessRequest r)
        {
            if (bindings.FirstOrDefault(b => b.Id == r.BindingId) is not { } b) return null;
            if (b.RevokedAt is { } revoked) return new GrantedAccessDto("revoked", revoked, Email(b.RevokedBy));
            var ran = b.ExpiryRecordedAt is not null || (b.ExpiresAt is { } e && now is { } n && n >= e);
            return new GrantedAccessDto(ran ? "expired" : "active", b.ExpiresAt, null);
        }
    }

    // The end of the access belongs to the request's story: revoked (by whom) or run out.
    private static List<TimelineEntryDto> Timeline(IEnumerable<TimelineEntryDto> events, GrantedAccessDto? access)
    {
        var list = events.ToList();
        if (access is { Status: "revoked" or "expired", Until: { } at }) list.Add(new TimelineEntryDto(at, access.EndedBy, access.Status, null));
        return list.OrderBy(e => e.At).ToList();
    }
}
