using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Events;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Requests;

/// <summary>The requester withdraws a pending request.</summary>
public sealed class CancelAccessRequest(JitGateDb db, Permissions permissions, RequestDecision decision, AuditLog audit, EventOutbox outbox, TimeProvider clock)
{
    public async Task<AccessRequestDto> HandleAsync(Actor actor, long requestId, CancellationToken ct)
    {
        using var turn = await RequestDecision.TakeTurnAsync(requestId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await decision.LockAsync(requestId, ct);
        var request = await permissions.LoadRequestAsync(requestId, actor, track: true, ct);
        Permissions.RequireRequester(actor, request);
        if (request.Status != RequestStatus.Pending) throw ApiProblem.Conflict($"This request is {request.Status}; only a pending request can be canceled.");
        var now = clock.GetUtcNow();
        MarkCanceled(request, now);
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = actor.UserId, Kind = "canceled" });
        audit.Add(db, actor, "request.cancel", $"access-requests/{request.Id}", AuditLog.Success, new { requestId });
        outbox.Add(db, EventNames.RequestCanceled, request.ProjectId, await AccessRequestMapper.ToDtoAsync(db, request, false, ct), request.Id);
        await decision.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return await AccessRequestMapper.ToDtoAsync(db, request, true, ct);
    }

    /// <summary>Ends a pending request as canceled: its pending steps are skipped, and a racing decision on it fails (its version moves).</summary>
    internal static void MarkCanceled(AccessRequest request, DateTimeOffset now) => request.Cancel(now);
}
