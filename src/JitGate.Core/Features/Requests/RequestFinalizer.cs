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
        DateTimeOffset expiresAt;
        if (request.ExpiresAt is { } at)
        {
            if (at <= now) throw ApiProblem.Conflict("The expiry this request asked for has already passed; ask again with a new time.");
            expiresAt = at;
        }
        else
        {
            if (!Durations.TryParse(request.Duration, out var span)) throw new InvalidOperationException($"Request {request.Id} has neither a valid duration nor an expiry.");
            expiresAt = now + span;
        }

        // The maximum that applies is the one in force at approval: lowered since the request was made,
        // the access is shortened to it (and the timeline says so) rather than refused, so that an
        // approver's decision still gives the access the rules allow.
        var max = await ExpiryRules.MaximumAsync(db, ct);
        if (expiresAt - now > max)
        {
            var asked = expiresAt;
            expiresAt = now + max;
            db.RequestEvents.Add(new RequestEvent
            {
                RequestId = request.Id, At = now, ActorId = actor?.UserId, Kind = "shortened",
                Comment = $"Shortened to the maximum access duration of {Durations.Format(max)}: ends {expiresAt:yyyy-MM-ddTHH:mm:ssZ} instead of {asked:yyyy-MM-ddTHH:mm:ssZ}.",
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
                Source = BindingSources.Request,
                Reason = request.Reason,
                RequestId = request.Id,
                CreatedBy = actor?.UserId ?? request.RequesterId,
                CreatedAt = now,
            };
            db.Bindings.Add(binding);
            await db.SaveChangesAsync(ct);
            audit.Add(db, actor, "binding.create", CreateBinding.BindingResource(binding), AuditLog.Success,
                new { bindingId = binding.Id, requestId = request.Id, role = binding.Role, expiresAt, source = BindingSources.Request },
                actorEmail: "system");
        }
        request.Status = RequestStatus.Approved;
        request.BindingId = binding.Id;
        request.UpdatedAt = now;
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = actor?.UserId, Kind = "granted" });
        var dto = await AccessRequestMapper.ToDtoAsync(db, request, false, ct);
        outbox.Add(db, EventNames.RequestApproved, request.ProjectId, dto, request.Id,
            new { id = binding.Id, role = binding.Role, expiresAt, scope = dto.Scope }, binding.Id);
    }
}
