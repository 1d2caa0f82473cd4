using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>The checks shared by approve and reject: the request is pending and the actor holds its current step.</summary>
public sealed class RequestDecision(JitGateDb db, Permissions permissions)
{
    public async Task<(AccessRequest Request, ApprovalStep Step)> LoadForDecisionAsync(Actor actor, long requestId, CancellationToken ct)
    {
        var request = await permissions.LoadRequestAsync(requestId, actor, track: true, ct);
        if (request.Status != RequestStatus.Pending) throw ApiProblem.Conflict($"This request is {request.Status}; only a pending request can be approved or rejected.");
        var step = request.Steps.OrderBy(s => s.Index).First(s => s.Status == StepStatus.Pending);
        if (!await permissions.HoldsApproverAsync(actor, request.ProjectId, step.Approver, ct))
        {
            throw new ApiProblem(403, "not-an-approver", "Not an approver",
                $"Step {step.Index + 1} of this request needs approval by {Describe(step.Approver)}; you are not one.");
        }
        if (request.RequesterId == actor.UserId)
        {
            var allowSelf = await db.Projects.AsNoTracking().Where(p => p.Id == request.ProjectId).Select(p => p.AllowSelfApproval).FirstAsync(ct);
            if (!allowSelf) throw new ApiProblem(403, "not-an-approver", "Not an approver", "You cannot approve or reject your own request.");
        }
        return (request, step);
    }

    public static string Describe(string approver) => approver switch
    {
        ProjectRoles.Owner => "a project owner",
        WorkspaceRoles.Dba => "a workspace DBA",
        WorkspaceRoles.Admin => "a workspace admin",
        _ => $"a member of {approver["group:".Length..]}",
    };

    /// <summary>Saves a decision; a racing decision that committed first turns this one into a 409.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ApiProblem.Conflict("Someone else acted on this request at the same moment; reload it.");
        }
    }
}
