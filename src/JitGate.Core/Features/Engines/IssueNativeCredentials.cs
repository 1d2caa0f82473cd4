using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Engines;

namespace JitGate.Core.Features.Engines;

/// <summary>Body of <c>POST /databases/{id}/credentials</c>: <c>rotate</c> asks for a new password even while the last one is valid.</summary>
public sealed record NativeCredentialsRequest(bool? Rotate);

/// <summary>Credentials for a native client (psql, mysql, mariadb): <c>engine</c> says which client takes them.</summary>
public sealed record NativeCredentials(string Engine, string Host, int Port, string Database, string Username, string Password, DateTimeOffset ExpiresAt);

/// <summary>
/// Temporary credentials for a native client such as psql: a login role holding exactly the
/// caller's current read access, valid until that access ends and at most 12 hours. Each call
/// returns the password of the credential still valid, or a new one; the reconciler ends the role's sessions when access ends.
/// </summary>
public sealed class IssueNativeCredentials(JitGateDb db, PolicyCache policy, EngineTargets targets, EngineRegistry engines, ReconcileEngineAccess reconcile, AuditLog audit, TimeProvider clock)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(12);

    /// <summary>
    /// Issues (or re-issues) the caller's credentials for one database. While an earlier credential is
    /// still valid, its password is returned again with the new expiry, unless <paramref name="rotate"/>.
    /// </summary>
    /// <exception cref="ApiProblem">404 for a database the caller cannot see, 400 for an engine without native logins, 403 without read access.</exception>
    /// <exception cref="EngineException">The engine could not be brought in line (answered as 503).</exception>
    public async Task<NativeCredentials> HandleAsync(Actor actor, string databaseId, bool rotate, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        if (!snapshot.Databases.TryGetValue(databaseId, out var database) || !Permissions.CanSeeDatabase(snapshot, actor, database.ProjectId, now))
        {
            throw ApiProblem.NotFound($"Database '{databaseId}'");
        }
        if (!engines.TryGet(database.Engine, out var engine) || engine.Roles is not { } roles)
        {
            throw new ApiProblem(400, "engine-not-supported", "Not available for this engine",
                $"Native credentials exist for server databases (PostgreSQL, MySQL, MariaDB); {database.Name} is a {database.Engine} database: use the SQL editor (POST /api/v1/query).");
        }
        if (snapshot.ReadGrantFor(actor.UserId, databaseId, now).IsEmpty)
        {
            throw new ApiProblem(403, "access-denied", "Access denied", $"You have no read access to {database.Name}; request access first.",
                new Dictionary<string, object?> { ["deniedResources"] = Array.Empty<object>(), ["requestable"] = database.ProjectId is not null });
        }
        var until = snapshot.ReadAccessUntil(actor.UserId, databaseId, now);
        var expiresAt = until is { } u && u < now + MaxLifetime ? u : now + MaxLifetime;

        var role = await targets.RoleAsync(db, actor.UserId, databaseId, EngineTargets.NativeRole, ct);
        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        // Callers on any replica take turns on the role: each reads what the one before it stored, so
        // callers that overlap all leave with the one password the role has.
        using var blockers = EndedBlockers.Collect();
        try
        {
            await using var held = await roles.LockAsync(server, database.Name, [role.RoleName], ct);
            await db.Entry(role).ReloadAsync(ct);
            // A credential still valid keeps its password (its lifetime follows the access); a new one
            // after the last ran out, or on request, gets a fresh password.
            var reused = !rotate && role.CredentialExpiresAt is { } current && current > now && role.AppliedFingerprint is not null;
            if (!reused) targets.Rotate(role);
            role.CredentialExpiresAt = expiresAt;
            audit.Add(db, actor, "credentials.issue", $"databases/{databaseId}", AuditLog.Success, new { role = role.RoleName, expiresAt, rotated = !reused }, databaseId);
            await db.SaveChangesAsync(ct);
            await reconcile.ApplyLockedAsync(role, force: true, ct);
        }
        finally
        {
            await reconcile.RecordEndedBlockersAsync(blockers, database);
        }
        return new NativeCredentials(engine.Name, server.Host, server.Port, database.Name, role.RoleName, targets.Password(role), expiresAt);
    }
}
