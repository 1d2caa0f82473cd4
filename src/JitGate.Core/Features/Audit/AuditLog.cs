using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Adds audit records to the unit of work of the change they describe, so a change and its record
/// commit together or not at all.
/// </summary>
public sealed class AuditLog(TimeProvider clock)
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Success = "success";
    public const string Failure = "failure";

    public AuditRecord Add(JitGateDb db, Actor? actor, string action, string resource, string outcome,
        object? detail = null, string? databaseId = null, string? actorEmail = null, string? remoteAddress = null)
    {
        var record = Create(actor, action, resource, outcome, detail, databaseId, actorEmail, remoteAddress);
        db.AuditRecords.Add(record);
        return record;
    }

    /// <summary>A record not yet attached to any unit of work (for <see cref="QueryAuditWriter"/>).</summary>
    public AuditRecord Create(Actor? actor, string action, string resource, string outcome,
        object? detail = null, string? databaseId = null, string? actorEmail = null, string? remoteAddress = null)
    {
        return new AuditRecord
        {
            At = clock.GetUtcNow(),
            ActorId = actor?.UserId,
            Actor = actor?.Email ?? actorEmail ?? "anonymous",
            Action = action,
            Resource = resource,
            DatabaseId = databaseId,
            Outcome = outcome,
            RemoteAddress = actor?.RemoteAddress ?? remoteAddress,
            DetailJson = Json.Serialize(detail ?? new { }),
        };
    }
}
