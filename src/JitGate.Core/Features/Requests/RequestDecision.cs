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
        await permissions.RequireApproverAsync(actor, request, step, ct);
        return (request, step);
    }

    /// <summary>The approver as a person reads it (<see cref="Permissions.DescribeApprover"/>).</summary>
    public static string Describe(string approver) => Permissions.DescribeApprover(approver);

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
