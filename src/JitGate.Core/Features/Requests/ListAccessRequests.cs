using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>Lists requests: a project's (its members see them), or across projects those the caller made or may decide now.</summary>
public sealed class ListAccessRequests(JitGateDb db, Permissions permissions, TimeProvider clock)
{
    public async Task<List<AccessRequestDto>> ForProjectAsync(Actor actor, string projectId, string? status, CancellationToken ct)
    {
        await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        CheckStatus(status);
        var query = db.AccessRequests.AsNoTracking().Include(r => r.Steps).Where(r => r.ProjectId == projectId);
        if (status is not null) query = query.Where(r => r.Status == status);
        var rows = await query.OrderByDescending(r => r.Id).Take(500).ToListAsync(ct);
        return await AccessRequestMapper.ToDtosAsync(db, rows, false, ct, clock.GetUtcNow());
    }

    /// <summary>filter: "mine" (made by the caller), "waitingForMe" (pending at a step the caller holds) or "all" (what the caller may see).</summary>
    public async Task<List<AccessRequestDto>> AcrossProjectsAsync(Actor actor, string? filter, string? status, CancellationToken ct)
    {
        CheckStatus(status);
        filter ??= "all";
        if (filter is not ("mine" or "waitingForMe" or "all")) throw ApiProblem.Validation("filter must be mine, waitingForMe or all.");
        var query = db.AccessRequests.AsNoTracking().Include(r => r.Steps).AsQueryable();
        if (filter == "mine") query = query.Where(r => r.RequesterId == actor.UserId);
        if (filter == "waitingForMe") query = query.Where(r => r.Status == RequestStatus.Pending && r.RequesterId != actor.UserId);
        if (status is not null) query = query.Where(r => r.Status == status);
        var rows = await query.OrderByDescending(r => r.Id).Take(1000).ToListAsync(ct);
        var visible = new List<AccessRequest>();
        foreach (var r in rows)
        {
            if (filter == "waitingForMe")
            {
                var step = r.Steps.OrderBy(s => s.Index).FirstOrDefault(s => s.Status == StepStatus.Pending);
                if (step is not null && await permissions.HoldsApproverAsync(actor, r.ProjectId, step.Approver, ct)) visible.Add(r);
            }
            else if (await permissions.CanSeeRequestAsync(actor, r, ct))
            {
                visible.Add(r);
            }
        }
        return await AccessRequestMapper.ToDtosAsync(db, visible, false, ct, clock.GetUtcNow());
    }

    public async Task<AccessRequestDto> GetAsync(Actor actor, long requestId, CancellationToken ct) =>
        await AccessRequestMapper.ToDtoAsync(db, await permissions.LoadRequestAsync(requestId, actor, track: false, ct), true, ct, clock.GetUtcNow());

    private static void CheckStatus(string? status)
    {
        if (status is not null && !RequestStatus.All.Contains(status))
        {
            throw ApiProblem.Validation($"status must be one of {string.Join(", ", RequestStatus.All)}.");
        }
    }
}
