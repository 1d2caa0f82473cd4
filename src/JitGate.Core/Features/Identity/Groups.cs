using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Identity;

public sealed record CreateGroupRequest(string? Email, string? Name, List<string>? Members);

/// <summary>A group; <c>externalId</c> is the provider's name for a group whose members come from single sign-on.</summary>
public sealed record GroupDto(long Id, string Email, string Name, List<string> Members)
{
    public string? ExternalId { get; init; }
}

/// <summary>Groups: create, list, and change membership (admins only); bindings to a group reach its members.</summary>
public sealed class Groups(JitGateDb db, AuditLog audit, PolicyCache policy, AccessChanged accessChanged, TimeProvider clock)
{
    public async Task<GroupDto> CreateAsync(Actor actor, CreateGroupRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var email = IdentityRules.NormalizeEmail(request.Email);
        var name = IdentityRules.RequireName(request.Name);
        if (await db.Groups.AnyAsync(g => g.Email == email, ct)) throw ApiProblem.Conflict($"A group with e-mail {email} already exists.");
        var members = await ResolveUsersAsync(request.Members ?? [], ct);
        var group = new Group { Email = email, Name = name, CreatedAt = clock.GetUtcNow() };
        group.Members.AddRange(members.Select(u => new GroupMember { UserId = u.Id }));
        db.Groups.Add(group);
        audit.Add(db, actor, "group.create", $"group:{email}", AuditLog.Success, new { members = members.Select(m => m.Email) });
        await db.SaveChangesAsync(ct);
        policy.Invalidate();
        return new GroupDto(group.Id, email, name, members.Select(m => m.Email).ToList());
    }

    public async Task<List<GroupDto>> ListAsync(CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().Include(g => g.Members).OrderBy(g => g.Id).ToListAsync(ct);
        var emails = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        return groups.Select(g => new GroupDto(g.Id, g.Email, g.Name,
            g.Members.Select(m => emails.GetValueOrDefault(m.UserId, "?")).Order().ToList()) { ExternalId = g.ExternalId }).ToList();
    }

    public async Task<GroupDto> SetMembersAsync(Actor actor, long groupId, List<string>? memberEmails, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var group = await db.Groups.Include(g => g.Members).FirstOrDefaultAsync(g => g.Id == groupId, ct)
            ?? throw ApiProblem.NotFound($"Group {groupId}");
        if (group.ExternalId is not null)
        {
            throw ApiProblem.Conflict($"The members of {group.Email} come from single sign-on (the provider's group '{group.ExternalId}'); change them at the provider.");
        }
        var members = await ResolveUsersAsync(memberEmails ?? [], ct);
        var before = group.Members.Select(m => m.UserId).ToList();
        group.Members.Clear();
        group.Members.AddRange(members.Select(u => new GroupMember { GroupId = group.Id, UserId = u.Id }));
        audit.Add(db, actor, "group.members.set", $"group:{group.Email}", AuditLog.Success, new { members = members.Select(m => m.Email) });
        await db.SaveChangesAsync(ct);
        // Those who left the group lose what it gave; those who joined gain it.
        await accessChanged.AfterCommitAsync(before.Concat(members.Select(m => m.Id)).Distinct().ToList(), narrowed: before.Except(members.Select(m => m.Id)).Any(), ct);
        return new GroupDto(group.Id, group.Email, group.Name, members.Select(m => m.Email).Order().ToList());
    }

    private async Task<List<User>> ResolveUsersAsync(List<string> emails, CancellationToken ct)
    {
        var wanted = emails.Select(e => (e ?? "").Trim().ToLowerInvariant()).Distinct().ToList();
        var users = await db.Users.Where(u => wanted.Contains(u.Email)).ToListAsync(ct);
        var missing = wanted.Except(users.Select(u => u.Email)).ToList();
        if (missing.Count > 0) throw ApiProblem.Validation($"No user with e-mail {string.Join(", ", missing)}.");
        return users;
    }
}
