using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Events;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Requests;

public sealed record DecisionRequest(string? Comment);

/// <summary>Approves the current step; the last step's approval grants the access in the same transaction.</summary>
public sealed class ApproveAccessRequest(JitGateDb db, RequestDecision decision, RequestFinalizer finalizer, AuditLog audit, EventOutbox outbox, AccessChanged accessChanged, TimeProvider clock)
{
    public async Task<AccessRequestDto> HandleAsync(Actor actor, long requestId, DecisionRequest? body, CancellationToken ct)
    {
        var comment = TextRules.Check("comment", body?.Comment)?.Trim();
        if (comment is { Length: > 2000 }) throw ApiProblem.Validation("comment may have at most 2000 characters.");
        using var turn = await RequestDecision.TakeTurnAsync(requestId, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DecideAsync(actor, requestId, comment, ct);
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException)
            {
                // The binding insert flushes the request's versioned update too; a racing approver that
                // committed first makes it fail here, and the whole transaction rolls back.
                throw ApiProblem.Conflict("Someone else acted on this request at the same moment; reload it.");
            }
            catch (Exception e) when (RequestDecision.IsCollision(e) && attempt < 3)
            {
                // Rolled back whole; decide again on what is stored now.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<AccessRequestDto> DecideAsync(Actor actor, long requestId, string? comment, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (request, step) = await decision.LoadForDecisionAsync(actor, requestId, ct);
        var now = clock.GetUtcNow();
        step.Status = StepStatus.Approved;
        step.ById = actor.UserId;
        step.At = now;
        step.Comment = string.IsNullOrEmpty(comment) ? null : comment;
        request.Version++;
        request.UpdatedAt = now;
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = actor.UserId, Kind = "approved", Comment = step.Comment });
        audit.Add(db, actor, "request.approve", $"access-requests/{request.Id}", AuditLog.Success, new { requestId, step = step.Index + 1, approver = step.Approver, comment = step.Comment });

        var last = request.Steps.All(s => s.Status == StepStatus.Approved);
        if (last)
        {
            await finalizer.ApproveAsync(request, actor, ct);
        }
        else
        {
            outbox.Add(db, EventNames.ApprovalNeeded, request.ProjectId, await AccessRequestMapper.ToDtoAsync(db, request, false, ct), request.Id);
        }
        await decision.SaveAsync(ct);
        await tx.CommitAsync(ct);
        if (last)
        {
            await accessChanged.AfterCommitAsync("user", request.RequesterId, narrowed: false, ct);
        }
        return await AccessRequestMapper.ToDtoAsync(db, request, true, ct);
    }
}
