using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// The reconciler: makes each JitGate-owned login on a server engine (PostgreSQL, MySQL, MariaDB) hold
/// exactly what active bindings give (GRANT what is missing, REVOKE the rest, the login's end, and end
/// sessions when access shrinks), through the engine's <see cref="IEngineRoles"/>. It is idempotent and
/// cheap when nothing changed, so it runs after every change, at start-up and on a timer.
/// </summary>
public sealed class ReconcileEngineAccess(
    JitGateDb db, PolicyCache policy, EngineTargets targets, EngineRegistry engines, AuditLog audit, TimeProvider clock, IOptions<JitGateOptions> options,
    IServiceScopeFactory scopes, ILogger<ReconcileEngineAccess> logger)
{
    private readonly int _endBatchSize = Math.Clamp(options.Value.EngineEndBatchSize, 1, 5_000);

    /// <summary>Reconciles the roles of the given users (all roles when null); returns how many roles changed.</summary>
    /// <remarks>
    /// Native roles whose access ends are ended first, together per database (one engine round of a few
    /// statements for up to <see cref="JitGateOptions.EngineEndBatchSize"/> of them), because they are the ones a person may still hold a
    /// session with. Every other role is reconciled on its own by <see cref="ApplyAsync"/>. A failed
    /// batch does not stop the rest of the pass; its exception is thrown once the pass is done.
    /// </remarks>
    public async Task<int> HandleAsync(IReadOnlyCollection<long>? userIds, bool force, CancellationToken ct)
    {
        await policy.GetFreshAsync(ct);
        var query = db.EngineRoles.AsQueryable();
        if (userIds is not null) query = query.Where(r => userIds.Contains(r.UserId));
        var roles = await query.ToListAsync(ct);
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        var ending = new List<Ending>();
        var others = new List<EngineRole>();
        foreach (var role in roles)
        {
            if (!snapshot.Databases.TryGetValue(role.DatabaseId, out var database) || RolesOf(database) is null) continue;
            var (grant, validUntil) = Desired(snapshot, role, now);
            if (!EndsAccess(role, grant))
            {
                others.Add(role);
                continue;
            }
            var fingerprint = Fingerprint(role, grant, validUntil);
            if (force || role.AppliedFingerprint != fingerprint) ending.Add(new Ending(role, database, fingerprint, validUntil));
        }

        var changed = 0;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        foreach (var batch in ending.GroupBy(e => (e.Database.InstanceId, e.Database.Id)).SelectMany(b => b.Chunk(_endBatchSize)))
        {
            try
            {
                changed += await EndAccessLockedAsync([.. batch], force, ct);
            }
            catch (EngineException e)
            {
                failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }
        foreach (var role in others)
        {
            try
            {
                if (await ApplyAsync(role, force, ct)) changed++;
            }
            catch (EngineException e)
            {
                // One role that cannot be fixed (recorded in the audit) does not stop the pass for the others.
                failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }
        failure?.Throw();
        return changed;
    }

    /// <summary>
    /// Holds the batch's roles (<see cref="IEngineRoles.LockAsync"/>), then ends access for those that, read
    /// again under the lock with the freshest policy, still have to end: another caller may have granted
    /// one anew while this pass waited. When the locks cannot be had, access ends all the same.
    /// </summary>
    private async Task<int> EndAccessLockedAsync(List<Ending> batch, bool force, CancellationToken ct)
    {
        var database = batch[0].Database;
        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        using var blockers = EndedBlockers.Collect();
        try
        {
            return await EndAccessLockedAsync(batch, database, server, force, ct);
        }
        finally
        {
            await RecordEndedBlockersAsync(blockers, database);
        }
    }

    private async Task<int> EndAccessLockedAsync(List<Ending> batch, PolicyDatabase database, EngineServer server, bool force, CancellationToken ct)
    {
        IAsyncDisposable? held;
        try
        {
            held = await RolesOf(database)!.LockAsync(server, database.Name, batch.Select(e => e.Role.RoleName).ToList(), ct);
        }
        catch (EngineException)
        {
            // Ending access only ever takes access away, so it goes ahead without the locks rather than
            // wait on them: a login's holder must not be able to hold its end back by keeping them from
            // JitGate. A grant that interleaves is undone by the next pass, which runs again because these
            // roles are not marked ended (EndAccessAsync, locked: false).
            held = null;
        }
        await using var _ = held;
        var snapshot = await policy.GetFreshAsync(ct);
        var now = clock.GetUtcNow();
        var still = new List<Ending>();
        foreach (var e in batch)
        {
            await db.Entry(e.Role).ReloadAsync(ct);
            if (db.Entry(e.Role).State == EntityState.Detached) continue;
            var (grant, validUntil) = Desired(snapshot, e.Role, now);
            var fingerprint = Fingerprint(e.Role, grant, validUntil);
            if (!EndsAccess(e.Role, grant) || (!force && e.Role.AppliedFingerprint == fingerprint)) continue;
            still.Add(e with { Fingerprint = fingerprint, ValidUntil = validUntil });
        }
        return still.Count == 0 ? 0 : await EndAccessAsync(still, now, locked: held is not null, ct);
    }

    private sealed record Ending(EngineRole Role, PolicyDatabase Database, string Fingerprint, DateTimeOffset? ValidUntil);

    /// <summary>
    /// Ends the access of roles of one database in one engine call, then records each role as
    /// <see cref="ApplyAsync"/> would: its fingerprint, and one audit record per role that changed (or
    /// whose access did not fully end). When the call failed before ending anything (instance
    /// unreachable), one failure record names the whole batch instead of one per role.
    /// </summary>
    /// <param name="locked">False when the roles were ended without their locks: a grant running at the same
    /// moment may have undone part of it, so the roles are not marked ended and the next pass ends them again.</param>
    private async Task<int> EndAccessAsync(List<Ending> batch, DateTimeOffset now, bool locked, CancellationToken ct)
    {
        var database = batch[0].Database;
        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        EndRolesReport? report;
        EngineException? failure = null;
        try
        {
            report = await RolesOf(database)!.EndManyAsync(server, database.Name, batch.Select(e => e.Role.RoleName).ToList(), ct);
        }
        catch (EngineException e)
        {
            failure = e;
            report = e.EndAccess;
        }
        catch (System.Data.Common.DbException e) when (!ct.IsCancellationRequested)
        {
            // Whatever the engine says that the engine layer did not foresee is still the engine's answer.
            failure = new EngineException($"{database.Name}: the engine refused to end {batch.Count} login(s): {e.Message}", e);
            report = null;
        }

        if (report is null)
        {
            audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles", AuditLog.Failure,
                new { roles = batch.Select(e => e.Role.RoleName).ToList(), error = failure!.Message }, database.Id, actorEmail: "system");
            foreach (var e in batch) e.Role.AppliedFingerprint = null;
            await db.SaveChangesAsync(ct);
            throw failure;
        }

        var changed = 0;
        foreach (var (role, _, fingerprint, validUntil) in batch)
        {
            if (report.Failed.TryGetValue(role.RoleName, out var left))
            {
                audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles/{role.RoleName}", AuditLog.Failure,
                    new { role = role.RoleName, error = left }, database.Id, actorEmail: "system");
                role.AppliedFingerprint = null;
                continue;
            }
            role.AppliedFingerprint = locked ? fingerprint : null;
            role.ReconciledAt = now;
            // Absent: the role does not exist on the server, so there was nothing to end.
            if (report.Roles.TryGetValue(role.RoleName, out var ended) && ended.Changed)
            {
                changed++;
                audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles/{role.RoleName}", AuditLog.Success, new
                {
                    role = role.RoleName, role.Kind, userId = role.UserId, ended.RoleCreated, ended.Granted, ended.Revoked,
                    ended.RoleChanges, ended.SessionsTerminated, validUntil,
                }, database.Id, actorEmail: "system");
            }
        }
        await db.SaveChangesAsync(ct);
        if (failure is not null) throw failure;
        return changed;
    }

    /// <summary>
    /// The login of the caller's query role on a PostgreSQL database, its privileges made current
    /// first. Within one policy snapshot, a role this process already brought to the state the
    /// snapshot asks for is used as it is, without reading the metadata store: any change of access
    /// makes a new snapshot, and expiry changes what is asked for.
    /// </summary>
    public async Task<EngineTargets.QueryLogin> QueryLoginAsync(long userId, PolicyDatabase database, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        var (grant, validUntil) = DesiredRead(snapshot, userId, database.Id, clock.GetUtcNow());
        if (targets.TryGetQueryLogin(userId, database.Id, out var known)
            && known.SnapshotGeneration == snapshot.Generation && known.AppliedFingerprint == Fingerprint(grant, validUntil))
        {
            return known;
        }

        var role = await targets.RoleAsync(db, userId, database.Id, EngineTargets.QueryRole, ct);
        await ApplyAsync(role, force: false, ct);
        var login = new EngineTargets.QueryLogin(role.RoleName, targets.Password(role), role.AppliedFingerprint ?? "", snapshot.Generation);
        targets.RememberQueryLogin(userId, database.Id, login);
        return login;
    }

    /// <summary>Makes one role match its desired state; true when the engine was changed.</summary>
    /// <remarks>
    /// The role is held (<see cref="IEngineRoles.LockAsync"/>) while its row is read again and the engine is
    /// changed, so callers on any replica take turns: what one applies is never undone by another that
    /// decided from an older policy or an older password.
    /// </remarks>
    /// <exception cref="EngineException">The engine could not be made to match (recorded in the audit; the role fails closed).</exception>
    public async Task<bool> ApplyAsync(EngineRole role, bool force, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        if (!snapshot.Databases.TryGetValue(role.DatabaseId, out var database) || RolesOf(database) is not { } roles) return false;
        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        using var blockers = EndedBlockers.Collect();
        try
        {
            await using var held = await roles.LockAsync(server, database.Name, [role.RoleName], ct);
            await db.Entry(role).ReloadAsync(ct);
            if (db.Entry(role).State == EntityState.Detached) return false;
            return await ApplyLockedAsync(role, force, ct);
        }
        finally
        {
            await RecordEndedBlockersAsync(blockers, database);
        }
    }

    /// <summary>As <see cref="ApplyAsync"/>, for a caller that already holds the role's lock (<see cref="IEngineRoles.LockAsync"/>) and has read its row under it.</summary>
    public async Task<bool> ApplyLockedAsync(EngineRole role, bool force, CancellationToken ct)
    {
        var snapshot = await policy.GetFreshAsync(ct);
        if (!snapshot.Databases.TryGetValue(role.DatabaseId, out var database) || RolesOf(database) is not { } roles) return false;
        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        var now = clock.GetUtcNow();
        var (grant, validUntil) = Desired(snapshot, role, now);
        var fingerprint = Fingerprint(role, grant, validUntil);
        if (!force && role.AppliedFingerprint == fingerprint) return false;

        RoleReport report;
        try
        {
            try
            {
                report = EndsAccess(role, grant)
                    ? await roles.EndAsync(server, database.Name, role.RoleName, ct)
                    : await roles.ReconcileAsync(targets.ForLogin(server, role.Kind), database.Name, role.RoleName, targets.Password(role), grant, validUntil, ct);
            }
            catch (System.Data.Common.DbException e) when (!ct.IsCancellationRequested)
            {
                // Whatever the engine says that the engine layer did not foresee is still the engine's answer.
                throw new EngineException($"{database.Name}: the engine refused a change to login {role.RoleName}: {e.Message}", e);
            }
        }
        catch (EngineException e)
        {
            audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles/{role.RoleName}", AuditLog.Failure,
                new { role = role.RoleName, error = e.Message }, database.Id, actorEmail: "system");
            role.AppliedFingerprint = null;
            await db.SaveChangesAsync(ct);
            throw;
        }
        if (report.Revoked.Count > 0 || report.SessionsTerminated > 0) roles.ForgetSessions(server, database.Name, role.RoleName);
        role.AppliedFingerprint = fingerprint;
        role.ReconciledAt = now;
        if (report.Changed)
        {
            audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles/{role.RoleName}", AuditLog.Success, new
            {
                role = role.RoleName, role.Kind, userId = role.UserId, report.RoleCreated, report.Granted, report.Revoked,
                report.RoleChanges, report.SessionsTerminated, validUntil,
                // A forced pass that finds something to undo found drift: privileges or attributes no binding gives.
                drift = force && !report.RoleCreated && (report.Revoked.Count > 0 || report.RoleChanges.Count > 0),
            }, database.Id, actorEmail: "system");
        }
        await db.SaveChangesAsync(ct);
        return report.Changed;
    }

    private static (ReadGrant Grant, DateTimeOffset? ValidUntil) DesiredRead(PolicySnapshot snapshot, long userId, string databaseId, DateTimeOffset now)
    {
        var grant = snapshot.ReadGrantFor(userId, databaseId, now);
        // A query role with nothing granted keeps its login (its password never leaves JitGate), so
        // the engine itself names the tables a query was refused.
        return (grant, grant.IsEmpty ? null : snapshot.ReadAccessUntil(userId, databaseId, now));
    }

    private static (ReadGrant Grant, DateTimeOffset? ValidUntil) Desired(PolicySnapshot snapshot, EngineRole role, DateTimeOffset now)
    {
        var (grant, until) = DesiredRead(snapshot, role.UserId, role.DatabaseId, now);
        if (role.Kind == EngineTargets.NativeRole)
        {
            if (role.CredentialExpiresAt is not { } credential || credential <= now) return (ReadGrant.Nothing, now);
            until = until is { } u && u < credential ? u : credential;
        }
        return (grant, until);
    }

    /// <summary>A native role with nothing granted, or whose credential ran out, has no access at all: no login, no privilege, no session.</summary>
    private static bool EndsAccess(EngineRole role, ReadGrant grant) => grant.IsEmpty && role.Kind == EngineTargets.NativeRole;

    /// <summary>
    /// Records every session the engine ended for this change because it kept JitGate waiting while access
    /// changed (<see cref="EndedBlockers"/>): a holder trying to hold back the end of its own access is something
    /// an auditor must see. Written in a unit of work of its own and never cancelled, so a caller that goes
    /// away, or a change that fails, cannot lose them; a failure to write is logged, not thrown over the
    /// change's own outcome.
    /// </summary>
    /// <remarks>The watch only watches the change's own admin session, so every report is of <paramref name="database"/>.</remarks>
    public async Task RecordEndedBlockersAsync(EndedBlockers.Collector blockers, PolicyDatabase database)
    {
        ArgumentNullException.ThrowIfNull(blockers);
        ArgumentNullException.ThrowIfNull(database);
        var ended = blockers.Take();
        if (ended.Count == 0) return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<JitGateDb>();
            foreach (var e in ended)
            {
                logger.LogWarning(
                    "Ended session {ProcessId} of login {Login} in database {Database} on {Host}:{Port}: it kept JitGate waiting while access changed",
                    e.ProcessId, e.Login, e.Database, e.Host, e.Port);
                audit.Add(store, null, AuditActions.EngineBlockerEnd, $"databases/{database.Id}/sessions/{e.ProcessId}", AuditLog.Success,
                    new
                    {
                        login = e.Login, processId = e.ProcessId, database = e.Database, server = $"{e.Host}:{e.Port}",
                        reason = "kept JitGate's admin session waiting while it changed access",
                    }, database.Id, actorEmail: "system");
            }
            await store.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            logger.LogError(ex, "Could not record {Count} ended session(s) in the audit", ended.Count);
        }
    }

    /// <summary>The logins of the database's engine; null for an engine without them (SQLite) or one this build lacks.</summary>
    private IEngineRoles? RolesOf(PolicyDatabase database) => engines.TryGet(database.Engine, out var engine) ? engine.Roles : null;

    /// <summary>
    /// What was last applied. Ended access is one state whatever the time: Desired gives an expired
    /// credential VALID UNTIL now, which would otherwise differ on every tick and end the role again each second.
    /// </summary>
    private static string Fingerprint(EngineRole role, ReadGrant grant, DateTimeOffset? validUntil) =>
        EndsAccess(role, grant) ? "ended" : Fingerprint(grant, validUntil);

    private static string Fingerprint(ReadGrant grant, DateTimeOffset? validUntil) =>
        (grant.AllTables ? "*" : string.Join(",", grant.GrantedTables.Select(t => $"{t.Schema}.{t.Name}").Order()))
        + "|" + (validUntil?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never");
}
