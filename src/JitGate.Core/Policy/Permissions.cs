using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Policy;

/// <summary>
/// Every authorization rule of JitGate, checked against the loaded record. Objects of a project the
/// actor is not a member of are reported as not found, so their existence does not leak.
/// </summary>
public sealed class Permissions(JitGateDb db, PolicyCache policy, TimeProvider clock)
{
    public static void RequireAdmin(Actor actor)
    {
        if (!actor.IsAdmin) throw ApiProblem.Forbidden("Only a workspace admin may do this.");
    }

    public static void RequireAdminOrDba(Actor actor)
    {
        if (!actor.IsAdminOrDba) throw ApiProblem.Forbidden("Only a workspace admin or DBA may do this.");
    }

    /// <summary>True when the actor may see the project: admins and DBAs, and anyone holding a role in it.</summary>
    public async ValueTask<bool> IsMemberAsync(Actor actor, string projectId, CancellationToken ct)
    {
        if (actor.IsAdminOrDba) return true;
        var snapshot = await policy.GetAsync(ct);
        return snapshot.ProjectRolesOf(actor.UserId, projectId, clock.GetUtcNow()).Count > 0;
    }

    public async Task<Project> LoadProjectForMemberAsync(Actor actor, string projectId, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null || !await IsMemberAsync(actor, projectId, ct)) throw ApiProblem.NotFound($"Project '{projectId}'");
        return project;
    }

    /// <summary>Loads a project whose bindings the actor may change: admins, DBAs and the project's owners.</summary>
    public async Task<Project> LoadProjectForBindingManagerAsync(Actor actor, string projectId, CancellationToken ct)
    {
        var project = await LoadProjectForMemberAsync(actor, projectId, ct);
        if (actor.IsAdminOrDba) return project;
        var snapshot = await policy.GetAsync(ct);
        if (!snapshot.ProjectRolesOf(actor.UserId, projectId, clock.GetUtcNow()).Contains(ProjectRoles.Owner))
        {
            throw ApiProblem.Forbidden("Only the project's owners, workspace admins and DBAs may grant or revoke access in this project.");
        }
        return project;
    }

    /// <summary>Loads a database the actor may see: it belongs to a project the actor is a member of (admins and DBAs see all).</summary>
    public async Task<DatabaseEntity> LoadDatabaseForMemberAsync(Actor actor, string databaseId, CancellationToken ct)
    {
        var database = await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == databaseId, ct);
        if (database is null) throw ApiProblem.NotFound($"Database '{databaseId}'");
        if (actor.IsAdminOrDba) return database;
        if (database.ProjectId is null || !await IsMemberAsync(actor, database.ProjectId, ct))
        {
            throw ApiProblem.NotFound($"Database '{databaseId}'");
        }
        return database;
    }

    /// <summary>
    /// True when the actor holds the approver of one approval step: a project role in the request's
    /// project, a workspace role, or membership of a group ("group:&lt;email&gt;").
    /// </summary>
    public async ValueTask<bool> HoldsApproverAsync(Actor actor, string projectId, string approver, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        return approver switch
        {
            Domain.WorkspaceRoles.Admin => actor.WorkspaceRole == Domain.WorkspaceRoles.Admin,
            Domain.WorkspaceRoles.Dba => actor.WorkspaceRole == Domain.WorkspaceRoles.Dba,
            _ when approver.StartsWith("group:", StringComparison.Ordinal) => snapshot.IsInGroup(actor.UserId, approver["group:".Length..]),
            _ => snapshot.ProjectRolesOf(actor.UserId, projectId, clock.GetUtcNow()).Contains(approver),
        };
    }

    /// <summary>
    /// Loads a request the actor may see: its requester, admins and DBAs, the project's owners, and
    /// anyone who holds one of its approval steps. Anyone else gets 404.
    /// </summary>
    public async Task<AccessRequest> LoadRequestAsync(long requestId, Actor actor, bool track, CancellationToken ct)
    {
        var query = db.AccessRequests.Include(r => r.Steps).AsQueryable();
        if (!track) query = query.AsNoTracking();
        var request = await query.FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null || !await CanSeeRequestAsync(actor, request, ct)) throw ApiProblem.NotFound($"Access request {requestId}");
        return request;
    }

    public async ValueTask<bool> CanSeeRequestAsync(Actor actor, AccessRequest request, CancellationToken ct)
    {
        if (request.RequesterId == actor.UserId || actor.IsAdminOrDba) return true;
        var snapshot = await policy.GetAsync(ct);
        if (snapshot.ProjectRolesOf(actor.UserId, request.ProjectId, clock.GetUtcNow()).Contains(ProjectRoles.Owner)) return true;
        foreach (var step in request.Steps)
        {
            if (await HoldsApproverAsync(actor, request.ProjectId, step.Approver, ct)) return true;
        }
        return false;
    }
}
