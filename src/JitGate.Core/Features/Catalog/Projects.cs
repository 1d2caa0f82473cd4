using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

public sealed record CreateProjectRequest(string? Id, string? Title, bool? AllowSelfApproval);

/// <summary>Projects: admins and DBAs create them; everyone lists the ones they are a member of.</summary>
public sealed class Projects(JitGateDb db, Permissions permissions, AuditLog audit, PolicyCache policy, TimeProvider clock)
{
    public async Task<ProjectDto> CreateAsync(Actor actor, CreateProjectRequest request, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var title = (TextRules.Check("title", request.Title) ?? "").Trim();
        if (title.Length is 0 or > 200) throw ApiProblem.Validation("title is required (at most 200 characters).");
        var id = request.Id is null ? Slug.From(title) : Slug.Require(request.Id, "id");
        if (id.Length == 0) throw ApiProblem.Validation("Give the project an id of letters or digits.");
        if (await db.Projects.AnyAsync(p => p.Id == id, ct)) throw ApiProblem.Conflict($"A project with id '{id}' already exists.");
        var project = new Project { Id = id, Title = title, AllowSelfApproval = request.AllowSelfApproval ?? false, CreatedAt = clock.GetUtcNow() };
        db.Projects.Add(project);
        audit.Add(db, actor, "project.create", $"project:{id}", AuditLog.Success, new { title });
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        // The creator owns the project, so the default approval step (one Project Owner) has an approver.
        var owner = ProjectOwners.Add(db, id, actor.UserId, "Created the project.", project.CreatedAt);
        await db.SaveChangesAsync(ct);
        ProjectOwners.Audit(db, audit, owner, actor.Email);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        policy.Invalidate();
        return ProjectDto.From(project);
    }

    public async Task<List<ProjectDto>> ListAsync(Actor actor, CancellationToken ct)
    {
        var all = await db.Projects.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        var visible = new List<ProjectDto>();
        foreach (var p in all)
        {
            if (await permissions.IsMemberAsync(actor, p.Id, ct)) visible.Add(ProjectDto.From(p));
        }
        return visible;
    }

    public async Task<ProjectDto> GetAsync(Actor actor, string id, CancellationToken ct) =>
        ProjectDto.From(await permissions.LoadProjectForMemberAsync(actor, id, ct));
}
