using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Events;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>
/// Turns a fully approved request into access, inside the caller's transaction: a new binding
/// (source request, linked both ways) or, for an extension, the existing binding's new expiry.
/// </summary>
public sealed class RequestFinalizer(JitGateDb db, AuditLog audit, EventOutbox outbox, TimeProvider clock)
{
    public async Task ApproveAsync(AccessRequest request, Actor? actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // A scheduled window starts when asked, if the approval came in time; approved later, the window
        // counts from the approval, and the timeline says so.
        DateTimeOffset? startsAt = request.StartsAt is { } asked && asked > now ? asked : null;
        if (request.StartsAt is { } late && late <= now)
        {
            db.RequestEvents.Add(new RequestEvent
            {
                RequestId = request.Id, At = now, ActorId = actor?.UserId, Kind = "startedLate",
                Comment = $"Approved after the asked start ({late:yyyy-MM-ddTHH:mm:ssZ}): the access starts now and lasts as long as asked.",
            });
        }
        var from = startsAt ?? now;
        DateTimeOffset expiresAt;
        if (request.ExpiresAt is { } at)
        {
            if (at <= now) throw ApiProblem.Conflict("The expiry this request asked for has already passed; ask again with a new time.");
            expiresAt = at;
        }
        else
        {
            if (!Durations.TryParse(request.Duration, out var span)) throw new InvalidOperationException($"Request {request.Id} has neither a valid duration nor an expiry.");
            expiresAt = from + span;
        }

        // The maximum that applies is the one in force at approval (the shortest of the workspace's and the
        // environments'): lowered since the request was made, the access is shortened to it (and the
        // timeline says so) rather than refused, so that an approver's decision still gives what the rules allow.
        var scope = request.ScopeJson is null ? null : Json.Deserialize<Policy.BindingScope>(request.ScopeJson);
        var max = await ExpiryRules.MaximumForAsync(db, request.ProjectId, scope, ct);
        if (expiresAt - from > max.Value)
        {
            var longer = expiresAt;
            expiresAt = from + max.Value;
            db.RequestEvents.Add(new RequestEvent
            {
                RequestId = request.Id, At = now, ActorId = actor?.UserId, Kind = "shortened",
                Comment = $"Shortened to the maximum access duration of {Durations.Format(max.Value)} ({max.Source}): ends {expiresAt:yyyy-MM-ddTHH:mm:ssZ} instead of {longer:yyyy-MM-ddTHH:mm:ssZ}.",
            });
        }

        Binding binding;
        if (request.ExtendsBindingId is { } extendId)
        {
            binding = await db.Bindings.FirstOrDefaultAsync(b => b.Id == extendId, ct)
                ?? throw ApiProblem.Conflict($"Binding {extendId} no longer exists.");
            if (binding.RevokedAt is not null) throw ApiProblem.Conflict($"Binding {extendId} was revoked; request new access instead.");
            if (binding.ExpiresAt is not { } before || before <= now) throw ApiProblem.Conflict($"Binding {extendId} has ended; request new access instead.");
            // An extension never shortens: approved late, or capped by a lowered maximum, it keeps the later end.
            if (expiresAt < before) expiresAt = before;
            binding.ExpiresAt = expiresAt;
            binding.ExpiryRecordedAt = null;
            binding.ExpiringSoonNotifiedAt = null;
            audit.Add(db, actor, "binding.extend", CreateBinding.BindingResource(binding), AuditLog.Success,
                new { bindingId = binding.Id, requestId = request.Id, before, after = expiresAt }, actorEmail: "system");
        }
        else
        {
            binding = new Binding
            {
                ProjectId = request.ProjectId,
                PrincipalType = "user",
                PrincipalId = request.RequesterId,
                Role = request.Role,
                ScopeJson = request.ScopeJson,
                ExpiresAt = expiresAt,
                StartsAt = startsAt,
                IncidentId = request.IncidentId,
                Source = BindingSources.Request,
                Reason = request.Reason,
                RequestId = request.Id,
                CreatedBy = actor?.UserId ?? request.RequesterId,
                CreatedAt = now,
            };
            db.Bindings.Add(binding);
            await db.SaveChangesAsync(ct);
            audit.Add(db, actor, "binding.create", CreateBinding.BindingResource(binding), AuditLog.Success,
                new { bindingId = binding.Id, requestId = request.Id, role = binding.Role, startsAt, expiresAt, source = BindingSources.Request, incident = request.IncidentId },
                actorEmail: "system");
        }
        request.Approve(now);
        request.BindingId = binding.Id;
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = actor?.UserId, Kind = "granted" });
        var dto = await AccessRequestMapper.ToDtoAsync(db, request, false, ct);
        outbox.Add(db, EventNames.RequestApproved, request.ProjectId, dto, request.Id,
            new { id = binding.Id, role = binding.Role, expiresAt, scope = dto.Scope }, binding.Id);
    }
}
