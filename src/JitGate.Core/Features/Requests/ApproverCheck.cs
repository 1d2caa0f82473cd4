using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>Who could approve one approval step now; <paramref name="Approvers"/> is empty when nobody could.</summary>
/// <param name="Role">The step's approver: a project role, a workspace role or "group:&lt;email&gt;".</param>
/// <param name="Approvers">The e-mails of the users who hold it, the requester left out unless self-approval is allowed.</param>
public sealed record StepApprovers(string Role, List<string> Approvers)
{
    /// <summary>True when no one can approve the step, so a request that reaches it waits for ever.</summary>
    public bool Unapprovable => Approvers.Count == 0;
}

/// <summary>
/// Finds approval steps that no one can approve (a project without an owner, a group without members),
/// so the console can say so before a request is sent and while it waits, with the fix. It tells; the
/// decision path checks for itself.
/// </summary>
public sealed class ApproverCheck(JitGateDb db, PolicyCache policy, TimeProvider clock)
{
    /// <summary>The eligible approvers of each step for a request in the project by the requester (null: anyone).</summary>
    public async Task<List<StepApprovers>> ForStepsAsync(string projectId, IEnumerable<string> steps, long? requesterId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        var selfAllowed = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.AllowSelfApproval).FirstOrDefaultAsync(ct);
        return steps.Select(step => new StepApprovers(step, snapshot.Users.Values
            .Where(u => (selfAllowed || u.Id != requesterId) && Holds(snapshot, u, projectId, step, now))
            .Select(u => u.Email).Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <summary>The steps of a pending request from its current step on.</summary>
    public async Task<List<StepApprovers>> ForRequestAsync(AccessRequestDto request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Status != RequestStatus.Pending) return [];
        var requester = (await policy.GetAsync(ct)).Users.Values.FirstOrDefault(u => u.Email == request.Requester)?.Id;
        return await ForStepsAsync(request.Project, request.ApprovalSteps.SkipWhile(s => s.Status != StepStatus.Pending).Select(s => s.Role), requester, ct);
    }

    /// <summary>
    /// The projects in which no one holds Project Owner now: requests there wait for ever at a Project
    /// Owner step, which the default flow is.
    /// </summary>
    public async Task<List<string>> ProjectsWithoutOwnerAsync(CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
        return projects.Where(p => !snapshot.Users.Values.Any(u => snapshot.ProjectRolesOf(u.Id, p, now).Contains(ProjectRoles.Owner))).ToList();
    }

    // The same rule as Permissions.HoldsApproverAsync, asked of every user.
    private static bool Holds(PolicySnapshot snapshot, PolicyUser user, string projectId, string step, DateTimeOffset now) => step switch
    {
        WorkspaceRoles.Admin or WorkspaceRoles.Dba => user.WorkspaceRole == step,
        _ when step.StartsWith("group:", StringComparison.Ordinal) => snapshot.IsInGroup(user.Id, step["group:".Length..]),
        _ => snapshot.ProjectRolesOf(user.Id, projectId, now).Contains(step),
    };
}
