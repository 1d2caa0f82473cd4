using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Engines;

public sealed record NativeCredentials(string Host, int Port, string Database, string Username, string Password, DateTimeOffset ExpiresAt);

/// <summary>
/// Temporary credentials for a native client such as psql: a login role holding exactly the
/// caller's current read access, valid until that access ends and at most 12 hours. Each call
/// rotates the password; the reconciler ends the role's sessions when access ends.
/// </summary>
public sealed class IssueNativeCredentials(JitGateDb db, PolicyCache policy, PostgresTargets targets, ReconcilePostgresAccess reconcile, AuditLog audit, TimeProvider clock)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(12);

    public async Task<NativeCredentials> HandleAsync(Actor actor, string databaseId, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        if (!snapshot.Databases.TryGetValue(databaseId, out var database)
            || (!actor.IsAdminOrDba && (database.ProjectId is null || snapshot.ProjectRolesOf(actor.UserId, database.ProjectId, now).Count == 0)))
        {
            throw ApiProblem.NotFound($"Database '{databaseId}'");
        }
        if (database.Engine != "postgres")
        {
            throw new ApiProblem(400, "engine-not-supported", "Not available for this engine",
                $"Native credentials exist for PostgreSQL databases; {database.Name} is a {database.Engine} database: use the SQL editor (POST /api/v1/query).");
        }
        if (snapshot.ReadGrantFor(actor.UserId, databaseId, now).IsEmpty)
        {
            throw new ApiProblem(403, "access-denied", "Access denied", $"You have no read access to {database.Name}; request access first.",
                new Dictionary<string, object?> { ["deniedResources"] = Array.Empty<object>(), ["requestable"] = database.ProjectId is not null });
        }
        var until = snapshot.ReadAccessUntil(actor.UserId, databaseId, now);
        var expiresAt = until is { } u && u < now + MaxLifetime ? u : now + MaxLifetime;

        var role = await targets.RoleAsync(db, actor.UserId, databaseId, PostgresTargets.NativeRole, ct);
        targets.Rotate(role);
        role.CredentialExpiresAt = expiresAt;
        audit.Add(db, actor, "credentials.issue", $"databases/{databaseId}", AuditLog.Success, new { role = role.RoleName, expiresAt }, databaseId);
        await db.SaveChangesAsync(ct);
        await reconcile.ApplyAsync(role, force: true, ct);
        var server = await targets.ServerAsync(db, database.InstanceId, ct);
        return new NativeCredentials(server.Host, server.Port, database.Name, role.RoleName, targets.Password(role), expiresAt);
    }
}
