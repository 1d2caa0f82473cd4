using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Engines;
using JitGate.Engines.Postgres;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// The reconciler: makes each JitGate-owned PostgreSQL role hold exactly what active bindings give
/// (GRANT what is missing, REVOKE the rest, VALID UNTIL, and end sessions when access shrinks). It is
/// idempotent and cheap when nothing changed, so it runs after every change, at start-up and on a timer.
/// </summary>
public sealed class ReconcilePostgresAccess(JitGateDb db, PolicyCache policy, PostgresTargets targets, AuditLog audit, TimeProvider clock)
{
    /// <summary>Reconciles the roles of the given users (all roles when null); returns how many roles changed.</summary>
    public async Task<int> HandleAsync(IReadOnlyCollection<long>? userIds, bool force, CancellationToken ct)
    {
        await policy.GetFreshAsync(ct);
        var query = db.EngineRoles.AsQueryable();
        if (userIds is not null) query = query.Where(r => userIds.Contains(r.UserId));
        var roles = await query.ToListAsync(ct);
        var changed = 0;
        foreach (var role in roles)
        {
            if (await ApplyAsync(role, force, ct)) changed++;
        }
        return changed;
    }

    /// <summary>Makes one role match its desired state; true when the engine was changed.</summary>
    public async Task<bool> ApplyAsync(EngineRole role, bool force, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        if (!snapshot.Databases.TryGetValue(role.DatabaseId, out var database) || database.Engine != "postgres") return false;
        var (grant, validUntil) = Desired(snapshot, role, now);
        var fingerprint = Fingerprint(grant, validUntil);
        if (!force && role.AppliedFingerprint == fingerprint) return false;

        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        PostgresReconcileReport report;
        try
        {
            report = grant.IsEmpty && role.Kind == PostgresTargets.NativeRole
                ? await PostgresAccess.EndAccessAsync(server, database.Name, role.RoleName, ct)
                : await PostgresAccess.ReconcileAsync(server, database.Name, role.RoleName, targets.Password(role), grant, validUntil, ct);
        }
        catch (PostgresEngineException e)
        {
            audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles/{role.RoleName}", AuditLog.Failure,
                new { role = role.RoleName, error = e.Message }, database.Id, actorEmail: "system");
            role.AppliedFingerprint = null;
            await db.SaveChangesAsync(ct);
            throw;
        }
        if (report.Revoked.Count > 0 || report.SessionsTerminated > 0) PostgresQueryRunner.ClearPool(server, database.Name, role.RoleName);
        role.AppliedFingerprint = fingerprint;
        role.ReconciledAt = now;
        if (report.Changed)
        {
            audit.Add(db, null, "engine.reconcile", $"databases/{database.Id}/roles/{role.RoleName}", AuditLog.Success, new
            {
                role = role.RoleName, role.Kind, userId = role.UserId, report.RoleCreated, report.Granted, report.Revoked,
                report.RoleChanges, report.SessionsTerminated, validUntil,
            }, database.Id, actorEmail: "system");
        }
        await db.SaveChangesAsync(ct);
        return report.Changed;
    }

    private static (ReadGrant Grant, DateTimeOffset? ValidUntil) Desired(PolicySnapshot snapshot, EngineRole role, DateTimeOffset now)
    {
        var grant = snapshot.ReadGrantFor(role.UserId, role.DatabaseId, now);
        // A query role with nothing granted keeps its login (its password never leaves JitGate), so
        // the engine itself names the tables a query was refused.
        var until = grant.IsEmpty ? null : snapshot.ReadAccessUntil(role.UserId, role.DatabaseId, now);
        if (role.Kind == PostgresTargets.NativeRole)
        {
            if (role.CredentialExpiresAt is not { } credential || credential <= now) return (ReadGrant.Nothing, now);
            until = until is { } u && u < credential ? u : credential;
        }
        return (grant, until);
    }

    private static string Fingerprint(ReadGrant grant, DateTimeOffset? validUntil) =>
        (grant.AllTables ? "*" : string.Join(",", grant.GrantedTables.Select(t => $"{t.Schema}.{t.Name}").Order()))
        + "|" + (validUntil?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never");
}
