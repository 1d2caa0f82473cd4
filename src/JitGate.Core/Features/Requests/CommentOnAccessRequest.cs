using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Requests;

/// <summary>Anyone who can see a request can add a comment to its timeline.</summary>
public sealed class CommentOnAccessRequest(JitGateDb db, Permissions permissions, AuditLog audit, TimeProvider clock)
{
    public async Task<AccessRequestDto> HandleAsync(Actor actor, long requestId, DecisionRequest? body, CancellationToken ct)
    {
        var comment = TextRules.Check("comment", body?.Comment)?.Trim() ?? "";
        if (comment.Length is 0 or > 2000) throw ApiProblem.Validation("comment is required (at most 2000 characters).");
        var request = await permissions.LoadRequestAsync(requestId, actor, track: false, ct);
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = clock.GetUtcNow(), ActorId = actor.UserId, Kind = "commented", Comment = comment });
        audit.Add(db, actor, "request.comment", $"access-requests/{request.Id}", AuditLog.Success, new { requestId, comment });
        await db.SaveChangesAsync(ct);
        return await AccessRequestMapper.ToDtoAsync(db, request, true, ct);
    }
}
