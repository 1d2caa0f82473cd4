using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Events;

public static class EventNames
{
    public const string RequestCreated = "requestCreated";
    public const string ApprovalNeeded = "approvalNeeded";
    public const string RequestApproved = "requestApproved";
    public const string RequestRejected = "requestRejected";
    public const string RequestCanceled = "requestCanceled";
    public const string AccessExpiringSoon = "accessExpiringSoon";
    public const string AccessExpired = "accessExpired";
    public const string AccessRevoked = "accessRevoked";
    /// <summary>A scheduled window started: the binding gives access from now.</summary>
    public const string AccessStarting = "accessStarting";
    /// <summary>A pending request nobody decided within the project's pending-request lifetime.</summary>
    public const string RequestExpired = "requestExpired";
    /// <summary>Someone broke glass: emergency access without approval, reviewed afterwards.</summary>
    public const string BreakGlassActivated = "breakGlassActivated";
    /// <summary>A break-glass review is still open past its due time.</summary>
    public const string BreakGlassReviewOverdue = "breakGlassReviewOverdue";
    public static readonly IReadOnlyList<string> All =
        [RequestCreated, ApprovalNeeded, RequestApproved, RequestRejected, RequestCanceled, AccessExpiringSoon, AccessExpired, AccessRevoked,
         AccessStarting, RequestExpired, BreakGlassActivated, BreakGlassReviewOverdue];
}

/// <summary>
/// Adds events to the unit of work of their cause, so an event exists exactly when its cause
/// committed. The payload is fixed at that moment: {id, event, occurredAt, project, request?, binding?, link}.
/// </summary>
public sealed class EventOutbox(TimeProvider clock, IOptions<JitGateOptions> options)
{
    public OutboxEvent Add(JitGateDb db, string name, string? projectId, object? request = null, long? requestId = null, object? binding = null, long? bindingId = null)
    {
        var id = Guid.CreateVersion7().ToString("n");
        var now = clock.GetUtcNow();
        var baseUrl = options.Value.PublicUrl.TrimEnd('/');
        var link = requestId is not null ? $"{baseUrl}/requests/{requestId}"
            : projectId is not null ? $"{baseUrl}/projects/{projectId}/members" : baseUrl;
        var payload = new { id, @event = name, occurredAt = now, project = projectId, request, binding, link };
        var row = new OutboxEvent
        {
            Id = id,
            Event = name,
            OccurredAt = now,
            ProjectId = projectId,
            RequestId = requestId,
            BindingId = bindingId,
            PayloadJson = Json.Serialize(payload),
        };
        db.Outbox.Add(row);
        return row;
    }
}
