using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.BreakGlass;

/// <summary>A break-glass review as the API answers it.</summary>
public sealed record BreakGlassReviewDto(long Id, long BindingId, string Project, string Holder, string Status, DateTimeOffset OpenedAt, DateTimeOffset DueAt,
    bool Overdue, string? DecidedBy, DateTimeOffset? DecidedAt, string? Comment);

/// <summary>The comment an approver gives when confirming or flagging a break-glass activation.</summary>
public sealed record ReviewDecisionRequest(string? Comment);

/// <summary>
/// The reviews of break-glass activations: listed for a project's members, decided (confirmed as
/// warranted, or flagged) by one of its approvers, never by who broke glass.
/// </summary>
public sealed class BreakGlassReviews(JitGateDb db, Permissions permissions, AuditLog audit, TimeProvider clock)
{
    /// <summary>Review states.</summary>
    public const string Open = "open", Confirmed = "confirmed", Flagged = "flagged";

    /// <summary>The project's reviews, open ones first, then newest first.</summary>
    /// <exception cref="ApiProblem">404 for a project the actor cannot see.</exception>
    public async Task<List<BreakGlassReviewDto>> ListAsync(Actor actor, string projectId, CancellationToken ct)
    {
        await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        var reviews = await db.BreakGlassReviews.AsNoTracking().Where(r => r.ProjectId == projectId).ToListAsync(ct);
        var emails = await EmailsAsync(reviews, ct);
        return reviews.OrderBy(r => r.Status == Open ? 0 : 1).ThenByDescending(r => r.OpenedAt)
            .Select(r => ToDto(r, emails.GetValueOrDefault(r.HolderId, "?"), r.DecidedBy is { } d ? emails.GetValueOrDefault(d) : null, clock.GetUtcNow())).ToList();
    }

    /// <summary>Confirms (warranted) or flags (not warranted) an open review.</summary>
    /// <exception cref="ApiProblem">404 for a review the actor cannot see; 403 <c>not-an-approver</c>; 409 when it was decided already; 400 for a missing comment when flagging.</exception>
    public async Task<BreakGlassReviewDto> DecideAsync(Actor actor, long reviewId, bool confirm, ReviewDecisionRequest? body, CancellationToken ct)
    {
        var review = await db.BreakGlassReviews.FirstOrDefaultAsync(r => r.Id == reviewId, ct);
        if (review is null || !await permissions.IsMemberAsync(actor, review.ProjectId, ct)) throw ApiProblem.NotFound($"Break-glass review {reviewId}");
        await permissions.RequireBreakGlassReviewerAsync(actor, review.ProjectId, review.HolderId, ct);
        var comment = TextRules.Check("comment", body?.Comment)?.Trim();
        if (comment is { Length: > 2000 }) throw ApiProblem.Validation("comment may have at most 2000 characters.");
        if (!confirm && string.IsNullOrEmpty(comment)) throw ApiProblem.Validation("comment is required to flag: say what was wrong.", new Dictionary<string, object?> { ["field"] = "comment" });
        if (review.Status != Open) throw ApiProblem.Conflict($"This review is already {review.Status}.");
        var now = clock.GetUtcNow();
        review.Status = confirm ? Confirmed : Flagged;
        review.DecidedBy = actor.UserId;
        review.DecidedAt = now;
        review.Comment = string.IsNullOrEmpty(comment) ? null : comment;
        audit.Add(db, actor, confirm ? AuditActions.BreakGlassConfirm : AuditActions.BreakGlassFlag, $"break-glass/reviews/{review.Id}", AuditLog.Success,
            new { reviewId, review.BindingId, comment = review.Comment });
        await db.SaveChangesAsync(ct);
        var emails = await EmailsAsync([review], ct);
        return ToDto(review, emails.GetValueOrDefault(review.HolderId, "?"), actor.Email, now);
    }

    /// <summary>A review as the API answers it.</summary>
    public static BreakGlassReviewDto ToDto(BreakGlassReview r, string holder, string? decidedBy, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.BindingId, r.ProjectId, holder, r.Status, r.OpenedAt, r.DueAt, r.Status == Open && now is { } n && n >= r.DueAt,
            decidedBy, r.DecidedAt, r.Comment);
    }

    private async Task<Dictionary<long, string>> EmailsAsync(IEnumerable<BreakGlassReview> reviews, CancellationToken ct)
    {
        var ids = reviews.SelectMany(r => r.DecidedBy is { } d ? new[] { r.HolderId, d } : [r.HolderId]).Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
    }
}
