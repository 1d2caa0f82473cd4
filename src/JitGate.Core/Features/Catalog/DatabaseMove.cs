using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Requests;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

/// <summary>What moving a database out of a project did: the bindings that named it, and the requests that were canceled.</summary>
public sealed record DatabaseMoveEffects(List<long> Bindings, List<long> CanceledRequests)
{
    /// <summary>A move that changed no project (or took the database out of none): nothing to list or cancel.</summary>
    public static readonly DatabaseMoveEffects None = new([], []);
}

/// <summary>
/// The consequences of a database leaving its project (<c>PATCH /databases/{id}</c> with another
/// <c>project</c>). A project's bindings reach only the project's databases, so the old project's
/// bindings that name the database stop granting it at once; they are left as they are (listed, with
/// their scope), and the move's audit record names them. The old project's pending requests that name
/// it could only grant what the project no longer holds, so they are canceled by JitGate, with a
/// timeline entry saying why, a <c>requestCanceled</c> event and an audit record each.
/// </summary>
public sealed class DatabaseMove(JitGateDb db, AuditLog audit, EventOutbox outbox, TimeProvider clock)
{
    /// <summary>
    /// Finds the old project's active bindings that name the database and cancels its pending requests
    /// that name it, in the caller's unit of work: nothing is saved here, so the move and its
    /// consequences commit together.
    /// </summary>
    public async Task<DatabaseMoveEffects> ApplyAsync(Actor actor, DatabaseEntity database, string? from, string? to, CancellationToken ct)
    {
        if (from is null || from == to) return DatabaseMoveEffects.None;
        var now = clock.GetUtcNow();

        var bindings = await db.Bindings.AsNoTracking()
            .Where(b => b.ProjectId == from && b.RevokedAt == null && b.ScopeJson != null && (b.ExpiresAt == null || b.ExpiresAt > now))
            .OrderBy(b => b.Id).ToListAsync(ct);
        var named = bindings.Where(b => Names(b.ScopeJson, database.Id)).Select(b => b.Id).ToList();

        var pending = await db.AccessRequests.Include(r => r.Steps)
            .Where(r => r.ProjectId == from && r.Status == RequestStatus.Pending && r.ScopeJson != null)
            .OrderBy(r => r.Id).ToListAsync(ct);
        var canceled = new List<long>();
        var why = $"Canceled by JitGate: database {database.Name} ({database.Id}) moved from project '{from}' to "
            + (to is null ? "no project" : $"project '{to}'") + $" (by {actor.Email}), so this request could no longer grant it.";
        foreach (var request in pending.Where(r => Names(r.ScopeJson, database.Id)))
        {
            CancelAccessRequest.MarkCanceled(request, now);
            db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = null, Kind = "canceled", Comment = why });
            audit.Add(db, null, "request.cancel", $"access-requests/{request.Id}", AuditLog.Success,
                new { requestId = request.Id, reason = "database-moved", database = database.Id, from, to, movedBy = actor.Email },
                databaseId: database.Id, actorEmail: "system");
            outbox.Add(db, EventNames.RequestCanceled, request.ProjectId, await AccessRequestMapper.ToDtoAsync(db, request, false, ct), request.Id);
            canceled.Add(request.Id);
        }
        return new DatabaseMoveEffects(named, canceled);
    }

    /// <summary>True when a stored scope names the database; no scope (the whole project) names none by name.</summary>
    private static bool Names(string? scopeJson, string databaseId) =>
        scopeJson is not null && (Json.Deserialize<BindingScope>(scopeJson)?.Names(databaseId) ?? false);
}
