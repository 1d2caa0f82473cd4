using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Risk;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>
/// A request for access: a role, a scope, how long (<paramref name="Duration"/> or <paramref name="ExpiresAt"/>),
/// why, and optionally when it should start (<paramref name="StartsAt"/>, a scheduled window; the duration
/// counts from it) and the <paramref name="Incident"/> it is for (an incident JitGate knows, whose
/// resolution then ends the access, or a free-text reference).
/// </summary>
public sealed record CreateAccessRequestRequest(string? Role, BindingScope? Scope, string? Duration, DateTimeOffset? ExpiresAt, string? Reason, long? ExtendsBinding,
    DateTimeOffset? StartsAt = null, string? Incident = null);

/// <summary>
/// What a request would get. <see cref="RiskReasons"/> lists the rules that matched a database of the scope,
/// and those that failed to evaluate there (failed: true, with the error), which count as matched.
/// </summary>
public sealed record AccessRequestPreview(string RiskLevel, List<string> Steps, DateTimeOffset ExpiresAtIfApprovedNow, List<RiskReason> RiskReasons);

/// <summary>
/// A project member asks for a role for a while, with a reason. The risk level and the approval
/// steps are fixed now; an explicitly empty flow approves at once.
/// </summary>
public sealed class CreateAccessRequest(
    JitGateDb db, Permissions permissions, RequestRisk risk, RiskRuleSet rules, RequestFinalizer finalizer, AuditLog audit, EventOutbox outbox, Engines.AccessChanged accessChanged, TimeProvider clock)
{
    private sealed record Checked(string Role, BindingScope? Scope, string? Duration, DateTimeOffset? ExpiresAt, string Reason, long? ExtendsBinding, string Level, List<string> Steps,
        DateTimeOffset ExpiresIfNow, List<RiskReason> RiskReasons, DateTimeOffset? StartsAt, string? Incident, DateTimeOffset DecideBy);

    public async Task<AccessRequestPreview> PreviewAsync(Actor actor, string projectId, CreateAccessRequestRequest body, CancellationToken ct)
    {
        var c = await CheckAsync(actor, projectId, body with { Reason = string.IsNullOrWhiteSpace(body.Reason) ? "preview" : body.Reason }, ct);
        return new AccessRequestPreview(c.Level, c.Steps, c.ExpiresIfNow, c.RiskReasons);
    }

    public async Task<AccessRequestDto> HandleAsync(Actor actor, string projectId, CreateAccessRequestRequest body, CancellationToken ct)
    {
        var c = await CheckAsync(actor, projectId, body, ct);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var request = new AccessRequest
        {
            ProjectId = projectId,
            RequesterId = actor.UserId,
            Role = c.Role,
            ScopeJson = c.Scope is null ? null : Json.Serialize(c.Scope),
            Duration = c.Duration,
            ExpiresAt = c.ExpiresAt,
            Reason = c.Reason,
            RiskLevel = c.Level,
            Status = RequestStatus.Pending,
            ExtendsBindingId = c.ExtendsBinding,
            StartsAt = c.StartsAt,
            IncidentId = c.Incident,
            DecideBy = c.DecideBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        request.Steps.AddRange(c.Steps.Select((s, i) => new ApprovalStep { Index = i, Approver = s, Status = StepStatus.Pending }));
        db.AccessRequests.Add(request);
        await db.SaveChangesAsync(ct);
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = now, ActorId = actor.UserId, Kind = "created", Comment = c.Reason });
        audit.Add(db, actor, AuditActions.RequestCreate, $"access-requests/{request.Id}", AuditLog.Success,
            new { requestId = request.Id, project = projectId, role = c.Role, scope = c.Scope, c.StartsAt, c.Duration, c.ExpiresAt, riskLevel = c.Level, steps = c.Steps, c.ExtendsBinding, incident = c.Incident, riskReasons = c.RiskReasons });
        var dto = await AccessRequestMapper.ToDtoAsync(db, request, false, ct);
        outbox.Add(db, EventNames.RequestCreated, projectId, dto, request.Id);
        if (c.Steps.Count == 0)
        {
            await finalizer.ApproveAsync(request, null, ct);
        }
        else
        {
            outbox.Add(db, EventNames.ApprovalNeeded, projectId, dto, request.Id);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        // Auto-approved (an empty flow): the access exists now, like any other approval's.
        if (request.Status == RequestStatus.Approved) await accessChanged.AfterCommitAsync("user", request.RequesterId, narrowed: false, ct);
        return await AccessRequestMapper.ToDtoAsync(db, request, true, ct);
    }

    private async Task<Checked> CheckAsync(Actor actor, string projectId, CreateAccessRequestRequest body, CancellationToken ct)
    {
        var project = await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        var reason = TextRules.Check("reason", body.Reason)?.Trim() ?? "";
        if (reason.Length == 0) throw ApiProblem.Validation("reason is required: say why you need this access.");
        if (reason.Length > 2000) throw ApiProblem.Validation("reason may have at most 2000 characters.");
        Lifecycle.ProjectSettings.CheckReason(project, reason);
        var now = clock.GetUtcNow();
        var incident = await Lifecycle.IncidentRules.CheckAsync(db, TextRules.Check("incident", body.Incident, multiLine: false)?.Trim(), ct);

        string role;
        BindingScope? scope;
        if (body.ExtendsBinding is { } bindingId)
        {
            var binding = await permissions.LoadOwnBindingAsync(actor, projectId, bindingId, ct);
            if (BindingDto.StatusOf(binding, now) != "active") throw ApiProblem.Validation($"Binding {bindingId} is not active; request new access instead.");
            // An extension keeps what the binding reaches; other tables or another role are a new request.
            if (body.Scope is not null)
            {
                throw ApiProblem.Validation("An extension keeps the binding's scope: leave scope out, or request new access for other databases or tables.",
                    new Dictionary<string, object?> { ["field"] = "scope" });
            }
            if (body.Role is not null && body.Role != binding.Role)
            {
                throw ApiProblem.Validation($"An extension keeps the binding's role ({binding.Role}): leave role out, or request the other role anew.",
                    new Dictionary<string, object?> { ["field"] = "role" });
            }
            if (binding.ExpiresAt is null) throw ApiProblem.Validation($"Binding {bindingId} never expires, so there is nothing to extend.");
            role = binding.Role;
            scope = binding.ScopeJson is null ? null : Json.Deserialize<BindingScope>(binding.ScopeJson);
        }
        else
        {
            role = body.Role ?? ProjectRoles.SqlEditorUser;
            if (!ProjectRoles.All.Contains(role)) throw ApiProblem.Validation($"role must be one of {string.Join(", ", ProjectRoles.All)}.");
            scope = await ScopeRules.NormalizeAsync(db, projectId, body.Scope, ct);
        }
        if (body.Duration is null && body.ExpiresAt is null) throw ApiProblem.Validation("Give a duration (such as PT4H or P1D) or an absolute expiresAt.");
        if (body.StartsAt is not null && body.ExtendsBinding is not null) throw ApiProblem.Validation("An extension continues the binding; it has no start of its own.", new Dictionary<string, object?> { ["field"] = "startsAt" });
        var window = ExpiryRules.Resolve(role, body.StartsAt, body.ExpiresAt, body.Duration, now, await ExpiryRules.MaximumForAsync(db, projectId, scope, ct));
        var resolved = window.ExpiresAt!.Value;
        if (body.ExtendsBinding is { } extended
            && await db.Bindings.AsNoTracking().Where(b => b.Id == extended).Select(b => b.ExpiresAt).FirstAsync(ct) is { } current
            && resolved <= current)
        {
            throw ApiProblem.Validation($"An extension must end later than the binding does now ({current:yyyy-MM-ddTHH:mm:ssZ}); ask for a later time.",
                new Dictionary<string, object?> { ["field"] = body.Duration is null ? "expiresAt" : "duration" });
        }
        var duration = body.Duration is null ? null : Durations.Format(resolved - (window.StartsAt ?? now));
        var days = (long)Math.Ceiling((resolved - (window.StartsAt ?? now)).TotalDays);
        var contexts = await risk.ContextsAsync(projectId, role, scope, days, await Lifecycle.IncidentRules.StatusAsync(db, incident, ct), ct);
        var assessment = RiskRuleSet.Assess(await rules.GetAsync(ct), RiskSources.RequestRole, contexts);
        var level = assessment.Level;
        var steps = await ApprovalFlowSettings.StepsForAsync(db, RiskSources.RequestRole, level, ct);
        // The flow's own condition (an incident that is live, say) may approve at once.
        if (steps.Count > 0 && await ApprovalFlowSettings.AutoApprovesAsync(db, RiskSources.RequestRole, level, contexts, ct)) steps = [];
        return new Checked(role, scope, duration, body.Duration is null ? resolved : null, reason, body.ExtendsBinding, level, steps, resolved, assessment.Reasons,
            window.StartsAt, incident, now + Lifecycle.ProjectSettings.PendingTtl(project));
    }
}
