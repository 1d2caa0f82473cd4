using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.BreakGlass;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Requests;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Lifecycle;

/// <summary>
/// What happens by the clock, besides expiry: scheduled windows that start (audit, <c>accessStarting</c>,
/// logins granted at once), pending requests nobody decided in time (<c>requestExpired</c>), and break-glass
/// reviews still open when due (<c>breakGlassReviewOverdue</c>). Run every second by the lifecycle job; each
/// pass handles at most a batch of each and answers how many it handled, so the job runs it until it is 0.
/// </summary>
public sealed class LifecycleTicks(JitGateDb db, AuditLog audit, EventOutbox outbox, AccessChanged accessChanged, TimeProvider clock)
{
    private const int Batch = 500;

    /// <summary>One pass; returns how many starts, expiries and escalations it recorded.</summary>
    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await RecordStartsAsync(now, ct) + await ExpirePendingAsync(now, ct) + await EscalateReviewsAsync(now, ct);
    }

    private async Task<int> RecordStartsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var started = await db.Bindings
            .Where(b => b.RevokedAt == null && b.StartRecordedAt == null && b.StartsAt != null && b.StartsAt <= now)
            .OrderBy(b => b.Id).Take(Batch).ToListAsync(ct);
        if (started.Count == 0) return 0;
        var namer = await Principals.NamerAsync(db, started, ct);
        foreach (var b in started)
        {
            b.StartRecordedAt = now;
            var principal = namer(b).Principal;
            audit.Add(db, null, AuditActions.BindingStart, CreateBinding.BindingResource(b), AuditLog.Success,
                new { bindingId = b.Id, principal, role = b.Role, b.StartsAt, b.ExpiresAt }, actorEmail: "system");
            outbox.Add(db, EventNames.AccessStarting, b.ProjectId, requestId: b.RequestId, bindingId: b.Id,
                binding: new { id = b.Id, principal, role = b.Role, b.StartsAt, b.ExpiresAt });
        }
        await db.SaveChangesAsync(ct);
        // The query path already honours the start by the clock; this brings engine logins in line at once.
        foreach (var b in started.DistinctBy(b => (b.PrincipalType, b.PrincipalId)))
        {
            await accessChanged.AfterCommitAsync(b.PrincipalType, b.PrincipalId, narrowed: false, ct);
        }
        return started.Count;
    }

    private async Task<int> ExpirePendingAsync(DateTimeOffset now, CancellationToken ct)
    {
        var stale = await db.AccessRequests.Include(r => r.Steps)
            .Where(r => r.Status == RequestStatus.Pending && r.DecideBy != null && r.DecideBy <= now)
            .OrderBy(r => r.Id).Take(Batch).ToListAsync(ct);
        if (stale.Count == 0) return 0;
        foreach (var request in stale)
        {
            request.Expire(now);
            db.RequestEvents.Add(new RequestEvent
            {
                RequestId = request.Id, At = now, Kind = "expired",
                Comment = $"Nobody decided this request by {request.DecideBy:yyyy-MM-ddTHH:mm:ssZ}; ask again if the access is still needed.",
            });
            audit.Add(db, null, AuditActions.RequestExpire, $"access-requests/{request.Id}", AuditLog.Success,
                new { requestId = request.Id, request.DecideBy }, actorEmail: "system");
            outbox.Add(db, EventNames.RequestExpired, request.ProjectId, await AccessRequestMapper.ToDtoAsync(db, request, false, ct), request.Id);
        }
        await db.SaveChangesAsync(ct);
        return stale.Count;
    }

    private async Task<int> EscalateReviewsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var overdue = await db.BreakGlassReviews
            .Where(r => r.Status == BreakGlassReviews.Open && r.EscalatedAt == null && r.DueAt <= now)
            .OrderBy(r => r.Id).Take(Batch).ToListAsync(ct);
        if (overdue.Count == 0) return 0;
        foreach (var review in overdue)
        {
            review.EscalatedAt = now;
            audit.Add(db, null, AuditActions.BreakGlassOverdue, $"break-glass/reviews/{review.Id}", AuditLog.Success,
                new { reviewId = review.Id, review.BindingId, review.HolderId, review.DueAt }, actorEmail: "system");
            outbox.Add(db, EventNames.BreakGlassReviewOverdue, review.ProjectId, bindingId: review.BindingId,
                binding: new { id = review.BindingId, review = new { review.Id, review.Status, review.DueAt } });
        }
        await db.SaveChangesAsync(ct);
        return overdue.Count;
    }
}
