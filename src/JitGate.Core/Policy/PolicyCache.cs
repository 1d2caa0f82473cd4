using System.Collections.Frozen;
using JitGate.Core.Common;
using JitGate.Core.Persistence;
using JitGate.Core.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Policy;

/// <summary>
/// Holds the current <see cref="PolicySnapshot"/>. Any change to users, groups, databases or bindings
/// calls <see cref="Invalidate"/> after it commits; the next decision rebuilds the snapshot.
/// </summary>
public sealed class PolicyCache(IServiceScopeFactory scopes, ChangeFeed changes, AccessChanges accessChanges) : IDisposable
{
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private volatile PolicySnapshot? _current;
    private long _version;
    private long _stamp;
    private long _lastStampCheck;

    public void Dispose() => _loadLock.Dispose();

    public void Invalidate()
    {
        Interlocked.Increment(ref _version);
        _current = null;
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

    /// <summary>The current snapshot; with a shared store, re-checked for other replicas' changes in the background at most every second.</summary>
    public async ValueTask<PolicySnapshot> GetAsync(CancellationToken ct = default)
    {
        if (changes.Shared && Environment.TickCount64 - Interlocked.Read(ref _lastStampCheck) > 1000)
        {
            _ = Task.Run(SyncStampInBackgroundAsync, CancellationToken.None);
        }
        var snapshot = _current;
        if (snapshot is not null) return snapshot;
        await _loadLock.WaitAsync(ct);
        try
        {
            while (true)
            {
                if (_current is { } loaded) return loaded;
                var version = Interlocked.Read(ref _version);
                var fresh = await LoadAsync(ct);
                // A change that committed while we were loading must not be hidden by this snapshot.
                if (Interlocked.Read(ref _version) != version) continue;
                _current = fresh;
                return fresh;
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
        if (stamp != Interlocked.Exchange(ref _stamp, stamp))
        {
            Interlocked.Increment(ref _version);
            _current = null;
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
