using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Query;

/// <summary>One database the caller can see, and what they may read in it now.</summary>
public sealed record DatabaseAccessDto(DatabaseDto Database, bool AllTables, List<string> Tables, DateTimeOffset? Until)
{
    public bool CanQuery => AllTables || Tables.Count > 0;
}

/// <summary>A binding of the caller that lets them read data, and when it ends.</summary>
public sealed record ReadingAccessDto(long BindingId, string? Project, string Role, DateTimeOffset? ExpiresAt);

/// <summary>
/// What the caller may query right now, from the same policy the query path enforces: which
/// databases (whole or some tables) and until when. It tells, it grants nothing.
/// </summary>
public sealed class MyAccess(Databases databases, PolicyCache policy, TimeProvider clock)
{
    public async Task<List<DatabaseAccessDto>> DatabasesAsync(Actor actor, string? projectId, CancellationToken ct)
    {
        var visible = await databases.ListAsync(actor, projectId, null, ct);
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        var reading = snapshot.ActiveBindingsOf(actor.UserId, now).Where(b => ProjectRoles.ReadsData(b.Role)).ToList();
        return visible.Select(d =>
        {
            var grant = snapshot.ReadGrantFor(actor.UserId, d.Id, now);
            var reaching = reading.Where(b => (b.ProjectId is null || b.ProjectId == d.Project)
                && (b.AllDatabases || b.Databases.Contains(d.Id) || b.Tables.ContainsKey(d.Id))).ToList();
            DateTimeOffset? until = reaching.Count == 0 || reaching.Any(b => b.ExpiresAt is null) ? null : reaching.Max(b => b.ExpiresAt);
            var tables = grant.GrantedTables.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
            return new DatabaseAccessDto(d, grant.AllTables, tables, until);
        }).ToList();
    }

    public async Task<List<ReadingAccessDto>> ReadingBindingsAsync(Actor actor, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        return snapshot.ActiveBindingsOf(actor.UserId, clock.GetUtcNow())
            .Where(b => ProjectRoles.ReadsData(b.Role))
            .Select(b => new ReadingAccessDto(b.Id, b.ProjectId, b.Role, b.ExpiresAt))
            .OrderBy(b => b.ExpiresAt ?? DateTimeOffset.MaxValue).ToList();
    }
}
