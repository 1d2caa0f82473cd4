using System.Collections.Frozen;
using JitGate.Core.Common;
using JitGate.Core.Persistence;
using JitGate.Core.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Policy;

/// <summary>
/// Holds the current <see cref="PolicySnapshot"/>. Any change to users, groups or databases calls
/// <see cref="Invalidate"/> after it commits, and a change to one principal's bindings (a grant, a revoke,
/// an approval) calls <see cref="InvalidateBindingsOf"/>; the next decision brings the snapshot up to date,
/// re-reading the whole workspace for the first kind and only the changed principals' bindings for the second.
/// </summary>
public sealed class PolicyCache(IServiceScopeFactory scopes, ChangeFeed changes, AccessChanges accessChanges) : IDisposable
{
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly Lock _pendingGate = new();
    // What changed since the current snapshot; recorded before the version moves, so a load that read the
    // version first and then took these holds every change up to that version.
    private bool _pendingAll = true;
    private HashSet<(string PrincipalType, long PrincipalId)> _pendingPrincipals = [];
    private volatile Loaded? _current;
    private long _version;
    private long _stamp;
    private long _lastStampCheck;

    /// <summary>A snapshot with the change version it reflects every change up to (changes counted by this replica).</summary>
    private sealed record Loaded(PolicySnapshot Snapshot, long Version);

    public void Dispose() => _loadLock.Dispose();

    /// <summary>After a change to users, groups, memberships, projects or databases: the next decision re-reads the whole workspace.</summary>
    public void Invalidate()
    {
        lock (_pendingGate) _pendingAll = true;
        Changed();
    }

    /// <summary>After a change to one principal's bindings only: the next decision re-reads that principal's bindings.</summary>
    /// <param name="principalType">"user" or "group".</param>
    /// <param name="principalId">The user's or group's id.</param>
    public void InvalidateBindingsOf(string principalType, long principalId)
    {
        lock (_pendingGate) _pendingPrincipals.Add((principalType, principalId));
        Changed();
    }

    private void Changed()
    {
        Interlocked.Increment(ref _version);
        changes.Bump();
        accessChanges.Raise();
    }

    /// <summary>
    /// The snapshot after checking whether another replica sharing the metadata store changed access.
    /// Called once at the start of each request (authentication does), before any transaction, so no
    /// request holds one pooled connection while it waits for another.
    /// </summary>
    public async ValueTask<PolicySnapshot> GetFreshAsync(CancellationToken ct)
    {
        if (changes.Shared) await SyncStampAsync(ct);
        return await GetAsync(ct);
    }

    /// <summary>
    /// A snapshot that reflects every change committed before this call; with a shared store, re-checked
    /// for other replicas' changes in the background at most every second. Changes arriving while a load
    /// runs do not send it round again: callers that came before them take what it loaded, so a steady
    /// stream of changes cannot keep every caller waiting.
    /// </summary>
    public async ValueTask<PolicySnapshot> GetAsync(CancellationToken ct = default)
    {
        if (changes.Shared && Environment.TickCount64 - Interlocked.Read(ref _lastStampCheck) > 1000)
        {
            _ = Task.Run(SyncStampInBackgroundAsync, CancellationToken.None);
        }
        var arrival = Interlocked.Read(ref _version);
        if (_current is { } current && current.Version >= arrival) return current.Snapshot;
        await _loadLock.WaitAsync(ct);
        try
        {
            if (_current is { } loaded && loaded.Version >= arrival) return loaded.Snapshot;
            var version = Interlocked.Read(ref _version);
            bool all;
            HashSet<(string, long)> principals;
            lock (_pendingGate)
            {
                // Past a few hundred principals one full read costs less than that many lookups.
                all = _pendingAll || _current is null || _pendingPrincipals.Count > 500;
                principals = _pendingPrincipals;
                _pendingAll = false;
                _pendingPrincipals = [];
            }
            try
            {
                var fresh = all ? await LoadAsync(ct)
                    // Nothing left to read (a load taken earlier already held these changes): the same snapshot,
                    // so what is keyed by its generation stays valid.
                    : principals.Count == 0 ? _current!.Snapshot
                    : _current!.Snapshot.WithBindingsOf(await LoadBindingsOfAsync(principals, ct));
                _current = new Loaded(fresh, version);
                return fresh;
            }
            catch
            {
                // Not loaded: the next caller loads it.
                lock (_pendingGate)
                {
                    _pendingAll |= all;
                    _pendingPrincipals.UnionWith(principals);
                }
                throw;
            }
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private async Task SyncStampAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _lastStampCheck, Environment.TickCount64);
        var stamp = await changes.CurrentAsync(ct);
        if (stamp != Interlocked.Read(ref _stamp))
        {
            // Another replica changed something; what, the stamp does not say. Marked stale before the new
            // stamp is kept, so a caller that sees the new stamp also finds the version moved.
            lock (_pendingGate) _pendingAll = true;
            Interlocked.Increment(ref _version);
            Interlocked.Exchange(ref _stamp, stamp);
            accessChanges.Raise();
        }
    }

    private async Task SyncStampInBackgroundAsync()
    {
        try
        {
            await SyncStampAsync(CancellationToken.None);
        }
        catch (Npgsql.NpgsqlException)
        {
            // The next request's check will try again.
        }
    }

    /// <summary>Every unrevoked binding of each principal, with the same rule as a full load: a disabled user holds nothing.</summary>
    private async Task<Dictionary<(string, long), PolicyBinding[]>> LoadBindingsOfAsync(HashSet<(string Type, long Id)> principals, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        var userIds = principals.Where(p => p.Type == "user").Select(p => p.Id).ToList();
        var groupIds = principals.Where(p => p.Type == "group").Select(p => p.Id).ToList();
        var disabled = userIds.Count == 0 ? [] : (await db.Users.AsNoTracking()
            .Where(u => userIds.Contains(u.Id) && u.DisabledAt != null).Select(u => u.Id).ToListAsync(ct)).ToHashSet();
        var rows = await db.Bindings.AsNoTracking()
            .Where(b => b.RevokedAt == null
                && ((b.PrincipalType == "user" && userIds.Contains(b.PrincipalId)) || (b.PrincipalType == "group" && groupIds.Contains(b.PrincipalId))))
            .Select(b => new { b.Id, b.ProjectId, b.PrincipalType, b.PrincipalId, b.Role, b.ExpiresAt, b.ScopeJson, b.StartsAt, b.BreakGlass })
            .ToListAsync(ct);
        var replaced = principals.ToDictionary(p => ((string, long))p, _ => Array.Empty<PolicyBinding>());
        foreach (var group in rows.GroupBy(r => (r.PrincipalType, r.PrincipalId)))
        {
            if (group.Key.PrincipalType == "user" && disabled.Contains(group.Key.PrincipalId)) continue;
            replaced[group.Key] = group
                .Select(r => ToPolicyBinding(r.Id, r.ProjectId, r.Role, r.ExpiresAt, r.ScopeJson) with { StartsAt = r.StartsAt, BreakGlass = r.BreakGlass })
                .ToArray();
        }
        return replaced;
    }

    private async Task<PolicySnapshot> LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        // A disabled user is left out whole: they authenticate nowhere and hold nothing, directly or through a group.
        var users = await db.Users.AsNoTracking().Where(u => u.DisabledAt == null)
            .Select(u => new PolicyUser(u.Id, u.Email, u.Name, u.WorkspaceRole)).ToListAsync(ct);
        var disabled = (await db.Users.AsNoTracking().Where(u => u.DisabledAt != null).Select(u => u.Id).ToListAsync(ct)).ToHashSet();
        var rows = (await db.Bindings.AsNoTracking().Where(b => b.RevokedAt == null)
            .Select(b => new { b.Id, b.ProjectId, b.PrincipalType, b.PrincipalId, b.Role, b.ExpiresAt, b.ScopeJson, b.StartsAt, b.BreakGlass })
            .ToListAsync(ct)).Where(b => b.PrincipalType != "user" || !disabled.Contains(b.PrincipalId)).ToList();
        var members = (await db.GroupMembers.AsNoTracking().Select(m => new { m.GroupId, m.UserId }).ToListAsync(ct))
            .Where(m => !disabled.Contains(m.UserId)).ToList();
        var databases = await (from d in db.Databases.AsNoTracking()
                               join i in db.Instances.AsNoTracking() on d.InstanceId equals i.Id
                               select new PolicyDatabase(d.Id, d.Name, d.ProjectId, d.EnvironmentId, i.Engine, i.Path, i.Id)).ToListAsync(ct);
        var groups = await db.Groups.AsNoTracking().Select(g => new { g.Id, g.Email }).ToListAsync(ct);
        return new PolicySnapshot(
            users,
            rows.Select(r => (r.PrincipalType, r.PrincipalId, ToPolicyBinding(r.Id, r.ProjectId, r.Role, r.ExpiresAt, r.ScopeJson) with { StartsAt = r.StartsAt, BreakGlass = r.BreakGlass })),
            members.Select(m => (m.GroupId, m.UserId)),
            databases,
            groups.Select(g => (g.Id, g.Email)));
    }

    public static PolicyBinding ToPolicyBinding(long id, string? projectId, string role, DateTimeOffset? expiresAt, string? scopeJson)
    {
        // Only a binding stored without a scope reaches every database; a stored scope that names nothing
        // (never written since empty scopes are refused, but fail closed should one exist) reaches nothing.
        var scope = scopeJson is null ? null : Json.Deserialize<BindingScope>(scopeJson) ?? new BindingScope();
        if (scope is null)
        {
            return new PolicyBinding(id, projectId, role, expiresAt, true, FrozenSet<string>.Empty, FrozenDictionary<string, TableRef[]>.Empty);
        }
        var tables = (scope.Tables ?? [])
            .GroupBy(t => t.Database, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(t => new TableRef(t.Schema ?? "main", t.Table)).ToArray(), StringComparer.Ordinal);
        return new PolicyBinding(id, projectId, role, expiresAt, false,
            (scope.Databases ?? []).ToFrozenSet(StringComparer.Ordinal), tables);
    }
}
