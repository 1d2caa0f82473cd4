using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Policy;

/// <summary>
/// Every authorization rule of JitGate, checked against the loaded record. Objects of a project the
/// actor is not a member of are reported as not found, so their existence does not leak; a caller who
/// may see an object but not act on it gets 403. The rules follow API.md's "who" columns; the
/// authorization matrix test (tests/JitGate.Tests/Authorization) checks each of them over HTTP.
/// </summary>
public sealed class Permissions(JitGateDb db, PolicyCache policy, TimeProvider clock)
{
    /// <summary>Workspace-wide settings, users, groups, service accounts and workspace bindings.</summary>
    /// <exception cref="ApiProblem">403 <c>forbidden</c> for anyone but a workspace admin.</exception>
    public static void RequireAdmin(Actor actor)
    {
        if (!actor.IsAdmin) throw ApiProblem.Forbidden("Only a workspace admin may do this.");
    }

    /// <summary>The catalog (instances, projects, moving databases), risk rules, approval flows, the audit trail and the event outbox.</summary>
    /// <exception cref="ApiProblem">403 <c>forbidden</c> for anyone but a workspace admin or DBA.</exception>
    public static void RequireAdminOrDba(Actor actor)
    {
        if (!actor.IsAdminOrDba) throw ApiProblem.Forbidden("Only a workspace admin or DBA may do this.");
    }

    /// <summary>True when the actor may see the project: admins and DBAs, and anyone holding a role in it.</summary>
    public async ValueTask<bool> IsMemberAsync(Actor actor, string projectId, CancellationToken ct) =>
        IsMember(await policy.GetAsync(ct), actor, projectId, clock.GetUtcNow());

    /// <summary>The rule of <see cref="IsMemberAsync"/> on a snapshot the caller already holds.</summary>
    public static bool IsMember(PolicySnapshot snapshot, Actor actor, string projectId, DateTimeOffset now) =>
        actor.IsAdminOrDba || snapshot.ProjectRolesOf(actor.UserId, projectId, now).Count > 0;

    /// <summary>
    /// True when the actor may see a database of the given project (null: a database in no project yet):
    /// admins and DBAs see every database, anyone else those of the projects they are a member of.
    /// Seeing is not reading: rows need a binding (<see cref="PolicySnapshot.ReadGrantFor"/>).
    /// </summary>
    public static bool CanSeeDatabase(PolicySnapshot snapshot, Actor actor, string? projectId, DateTimeOffset now) =>
        actor.IsAdminOrDba || (projectId is not null && IsMember(snapshot, actor, projectId, now));

    /// <summary>The rule of <see cref="CanSeeDatabase"/> with the current snapshot.</summary>
    public async ValueTask<bool> CanSeeDatabaseAsync(Actor actor, string? projectId, CancellationToken ct) =>
        CanSeeDatabase(await policy.GetAsync(ct), actor, projectId, clock.GetUtcNow());

    /// <summary>Loads a project the actor is a member of (<see cref="IsMemberAsync"/>).</summary>
    /// <exception cref="ApiProblem">404 for a project that does not exist or that the actor may not see.</exception>
    public async Task<Project> LoadProjectForMemberAsync(Actor actor, string projectId, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null || !await IsMemberAsync(actor, projectId, ct)) throw ApiProblem.NotFound($"Project '{projectId}'");
        return project;
    }

    /// <summary>Loads a project whose bindings the actor may change: admins, DBAs and the project's owners.</summary>
    /// <exception cref="ApiProblem">404 as for <see cref="LoadProjectForMemberAsync"/>; 403 for a member who is not an owner.</exception>
    public async Task<Project> LoadProjectForBindingManagerAsync(Actor actor, string projectId, CancellationToken ct)
    {
        var project = await LoadProjectForMemberAsync(actor, projectId, ct);
        if (actor.IsAdminOrDba || await IsOwnerAsync(actor, projectId, ct)) return project;
        throw ApiProblem.Forbidden("Only the project's owners, workspace admins and DBAs may grant or revoke access in this project.");
    }

    private async ValueTask<bool> IsOwnerAsync(Actor actor, string projectId, CancellationToken ct) =>
        (await policy.GetAsync(ct)).ProjectRolesOf(actor.UserId, projectId, clock.GetUtcNow()).Contains(ProjectRoles.Owner);

    /// <summary>Checks that the actor may list the bindings of a project (its members) or the workspace bindings (projectId null: admins).</summary>
    /// <exception cref="ApiProblem">404 as for <see cref="LoadProjectForMemberAsync"/>; 403 for workspace bindings and a non-admin.</exception>
    public async Task RequireBindingViewerAsync(Actor actor, string? projectId, CancellationToken ct)
    {
        if (projectId is null) RequireAdmin(actor);
        else await LoadProjectForMemberAsync(actor, projectId, ct);
    }

    /// <summary>Checks that the actor may grant in a project (<see cref="LoadProjectForBindingManagerAsync"/>) or workspace-wide (projectId null: admins).</summary>
    /// <exception cref="ApiProblem">404 and 403 as for <see cref="LoadProjectForBindingManagerAsync"/>; 403 for workspace bindings and a non-admin.</exception>
    public async Task RequireBindingManagerAsync(Actor actor, string? projectId, CancellationToken ct)
    {
        if (projectId is null) RequireAdmin(actor);
        else await LoadProjectForBindingManagerAsync(actor, projectId, ct);
    }

    /// <summary>
    /// Loads (tracked) a binding of the project (or a workspace binding when projectId is null) that the
    /// actor may change or revoke. A member learns whether the id exists (they may list the bindings)
    /// before being told they may not change it.
    /// </summary>
    /// <exception cref="ApiProblem">404 for a project the actor may not see or a binding that is not the project's; 403 as for <see cref="RequireBindingManagerAsync"/>.</exception>
    public async Task<Binding> LoadBindingForManagerAsync(Actor actor, string? projectId, long bindingId, CancellationToken ct)
    {
        await RequireBindingViewerAsync(actor, projectId, ct);
        var binding = await db.Bindings.FirstOrDefaultAsync(b => b.Id == bindingId && b.ProjectId == projectId, ct)
            ?? throw ApiProblem.NotFound($"Binding {bindingId}");
        if (projectId is not null) await LoadProjectForBindingManagerAsync(actor, projectId, ct);
        return binding;
    }

    /// <summary>
    /// Loads (tracked) a binding the actor may end: as <see cref="LoadBindingForManagerAsync"/>, and also a
    /// project binding that names the actor themselves, which its holder may give back (API.md, "Lifecycle").
    /// A group's binding is given back by no one member: it is the group's.
    /// </summary>
    /// <exception cref="ApiProblem">404 and 403 as for <see cref="LoadBindingForManagerAsync"/>.</exception>
    public async Task<Binding> LoadBindingForRevokeAsync(Actor actor, string? projectId, long bindingId, CancellationToken ct)
    {
        await RequireBindingViewerAsync(actor, projectId, ct);
        var binding = await db.Bindings.FirstOrDefaultAsync(b => b.Id == bindingId && b.ProjectId == projectId, ct)
            ?? throw ApiProblem.NotFound($"Binding {bindingId}");
        if (projectId is not null && !IsHolder(actor, binding)) await LoadProjectForBindingManagerAsync(actor, projectId, ct);
        return binding;
    }

    /// <summary>True when a project binding names the actor themselves (not through a group).</summary>
    public static bool IsHolder(Actor actor, Binding binding) =>
        binding.ProjectId is not null && binding.PrincipalType == "user" && binding.PrincipalId == actor.UserId;

    /// <summary>Loads (untracked) a binding of the project held by the actor themselves, as an access request may extend only one's own access.</summary>
    /// <exception cref="ApiProblem">404 for a binding of another project, of a group or of someone else.</exception>
    public async Task<Binding> LoadOwnBindingAsync(Actor actor, string projectId, long bindingId, CancellationToken ct)
    {
        var binding = await db.Bindings.AsNoTracking().FirstOrDefaultAsync(b => b.Id == bindingId && b.ProjectId == projectId, ct);
        if (binding is null || binding.PrincipalType != "user" || binding.PrincipalId != actor.UserId) throw ApiProblem.NotFound($"Binding {bindingId}");
        return binding;
    }

    /// <summary>
    /// Loads a project whose webhooks the actor may manage: its owners and workspace admins (API.md,
    /// Integrations). Unlike bindings, not DBAs: where a project's events are sent is the project's and
    /// the workspace's choice.
    /// </summary>
    /// <exception cref="ApiProblem">404 as for <see cref="LoadProjectForMemberAsync"/>; 403 for anyone else who may see the project.</exception>
    public async Task<Project> LoadProjectForWebhookManagerAsync(Actor actor, string projectId, CancellationToken ct)
    {
        var project = await LoadProjectForMemberAsync(actor, projectId, ct);
        if (actor.IsAdmin || await IsOwnerAsync(actor, projectId, ct)) return project;
        throw ApiProblem.Forbidden("Only the project's owners and workspace admins manage its webhooks.");
    }

    /// <summary>Checks that the actor owns the project (a workspace admin is checked by the caller where admins may too).</summary>
    /// <exception cref="ApiProblem">403 otherwise.</exception>
    public async Task RequireProjectOwnerAsync(Actor actor, string projectId, CancellationToken ct)
    {
        if (!await IsOwnerAsync(actor, projectId, ct)) throw ApiProblem.Forbidden("Only the project's owners and workspace admins may change its settings.");
    }

    /// <summary>
    /// Checks that the actor may review a break-glass activation in the project: one of its approvers (a
    /// project owner, a workspace admin or DBA), never the one who broke glass.
    /// </summary>
    /// <exception cref="ApiProblem">403 <c>not-an-approver</c> otherwise.</exception>
    public async Task RequireBreakGlassReviewerAsync(Actor actor, string projectId, long holderId, CancellationToken ct)
    {
        if (actor.UserId == holderId)
        {
            throw new ApiProblem(403, "not-an-approver", "Not an approver", "Who broke glass cannot review it; another approver of the project does.");
        }
        if (!actor.IsAdminOrDba && !await IsOwnerAsync(actor, projectId, ct))
        {
            throw new ApiProblem(403, "not-an-approver", "Not an approver", "Break-glass access is reviewed by the project's owners, workspace admins and DBAs.");
        }
    }

    /// <summary>Loads a database the actor may see (<see cref="CanSeeDatabase"/>).</summary>
    /// <exception cref="ApiProblem">404 for a database that does not exist or that the actor may not see.</exception>
    public async Task<DatabaseEntity> LoadDatabaseForMemberAsync(Actor actor, string databaseId, CancellationToken ct)
    {
        var database = await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == databaseId, ct);
        if (database is null || !await CanSeeDatabaseAsync(actor, database.ProjectId, ct)) throw ApiProblem.NotFound($"Database '{databaseId}'");
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
    /// Checks that the actor may approve or reject the request at this step: they hold the step's approver
    /// (<see cref="HoldsApproverAsync"/>), and are not its requester unless the project allows self-approval.
    /// </summary>
    /// <exception cref="ApiProblem">403 <c>not-an-approver</c> otherwise.</exception>
    public async Task RequireApproverAsync(Actor actor, AccessRequest request, ApprovalStep step, CancellationToken ct)
    {
        if (!await HoldsApproverAsync(actor, request.ProjectId, step.Approver, ct))
        {
            throw new ApiProblem(403, "not-an-approver", "Not an approver",
                $"Step {step.Index + 1} of this request needs approval by {DescribeApprover(step.Approver)}; you are not one.");
        }
        if (request.RequesterId == actor.UserId)
        {
            var allowSelf = await db.Projects.AsNoTracking().Where(p => p.Id == request.ProjectId).Select(p => p.AllowSelfApproval).FirstAsync(ct);
            if (!allowSelf) throw new ApiProblem(403, "not-an-approver", "Not an approver", "You cannot approve or reject your own request.");
        }
    }

    /// <summary>An approval step's approver as a person reads it: "a project owner", "a member of oncall@example.com".</summary>
    public static string DescribeApprover(string approver) => approver switch
    {
        ProjectRoles.Owner => "a project owner",
        Domain.WorkspaceRoles.Dba => "a workspace DBA",
        Domain.WorkspaceRoles.Admin => "a workspace admin",
        _ => $"a member of {approver["group:".Length..]}",
    };

    /// <summary>Checks that the actor made the request: only the requester withdraws it.</summary>
    /// <exception cref="ApiProblem">403 <c>forbidden</c> for anyone else who may see it.</exception>
    public static void RequireRequester(Actor actor, AccessRequest request)
    {
        if (request.RequesterId != actor.UserId) throw ApiProblem.Forbidden("Only the requester can cancel a request; approvers reject it instead.");
    }

    /// <summary>
    /// Loads a request the actor may see: its requester, admins and DBAs, the project's owners, and
    /// anyone who holds one of its approval steps. Anyone else gets 404.
    /// </summary>
    /// <exception cref="ApiProblem">404 for a request that does not exist or that the actor may not see.</exception>
    public async Task<AccessRequest> LoadRequestAsync(long requestId, Actor actor, bool track, CancellationToken ct)
    {
        var query = db.AccessRequests.Include(r => r.Steps).AsQueryable();
        if (!track) query = query.AsNoTracking();
        var request = await query.FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null || !await CanSeeRequestAsync(actor, request, ct)) throw ApiProblem.NotFound($"Access request {requestId}");
        return request;
    }

    /// <summary>The rule of <see cref="LoadRequestAsync"/> for a request already loaded (with its steps).</summary>
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

    /// <summary>
    /// Checks that the actor is a person, not a service account. A service account's tokens are issued by
    /// an admin, for as long as the admin chose; minting its own would let one token outlive that choice.
    /// </summary>
    /// <exception cref="ApiProblem">403 <c>forbidden</c> for a service account.</exception>
    public async Task RequirePersonAsync(Actor actor, CancellationToken ct)
    {
        if (await db.Users.AsNoTracking().AnyAsync(u => u.Id == actor.UserId && u.IsServiceAccount, ct))
        {
            throw ApiProblem.Forbidden("A service account's tokens are issued by a workspace admin (POST /api/v1/service-accounts/{id}/tokens), not by the account itself.");
        }
    }

    /// <summary>Loads (tracked) one of the actor's own personal access tokens.</summary>
    /// <exception cref="ApiProblem">404 for a token that is someone else's, a service account's or a session's.</exception>
    public async Task<ApiToken> LoadOwnPersonalTokenAsync(Actor actor, long tokenId, CancellationToken ct) =>
        await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == actor.UserId && t.Kind == "personal", ct)
            ?? throw ApiProblem.NotFound($"Token {tokenId}");
}
