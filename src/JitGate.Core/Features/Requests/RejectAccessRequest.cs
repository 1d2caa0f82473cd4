using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Events;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Requests;

/// <summary>Rejects the request at its current step, with a comment saying why; this ends it.</summary>
public sealed class RejectAccessRequest(JitGateDb db, RequestDecision decision, AuditLog audit, EventOutbox outbox, TimeProvider clock)
{
    public async Task<AccessRequestDto> HandleAsync(Actor actor, long requestId, DecisionRequest? body, CancellationToken ct)
    {
        var comment = TextRules.Check("comment", body?.Comment)?.Trim() ?? "";
        if (comment.Length == 0) throw ApiProblem.Validation("comment is required: tell the requester why.");
        if (comment.Length > 2000) throw ApiProblem.Validation("comment may have at most 2000 characters.");
        using var turn = await RequestDecision.TakeTurnAsync(requestId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (request, step) = await decision.LoadForDecisionAsync(actor, requestId, ct);
        var now = clock.GetUtcNow();
        step.Status = StepStatus.Rejected;
        step.ById = actor.UserId;
        step.At = now;
        step.Comment = comment;
        request.Reject(now);
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = actor.UserId, Kind = "rejected", Comment = comment });
        audit.Add(db, actor, "request.reject", $"access-requests/{request.Id}", AuditLog.Success, new { requestId, step = step.Index + 1, comment });
        outbox.Add(db, EventNames.RequestRejected, request.ProjectId, await AccessRequestMapper.ToDtoAsync(db, request, false, ct), request.Id);
        await decision.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return await AccessRequestMapper.ToDtoAsync(db, request, true, ct);
    }
}
