using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Lifecycle;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.BreakGlass;

/// <summary>Break-glass: <c>POST /projects/{p}/break-glass</c>. Role defaults to sqlEditorUser; duration at most the project's break-glass maximum.</summary>
public sealed record BreakGlassRequest(string? Role, BindingScope? Scope, string? Duration, string? Reason, string? Incident);

/// <summary>
/// Emergency access that does not wait for an approver and is always reviewed afterwards. Allowed only
/// where the project's settings allow it (roles, environments), for at most its short maximum, with a
/// reason (matching the project's pattern) and an incident when the project asks for one. Every approver
/// of the project and the workspace admins are told at once (<c>breakGlassActivated</c>), the binding is
/// marked break-glass, every query under it is flagged in the audit, and a review opens, due in 24 h.
/// Someone with an overdue open review cannot break glass again.
/// </summary>
public sealed class ActivateBreakGlass(JitGateDb db, Permissions permissions, AuditLog audit, EventOutbox outbox, AccessChanged accessChanged, TimeProvider clock)
{
    /// <summary>A review is due a day after the activation.</summary>
    public static readonly TimeSpan ReviewWindow = TimeSpan.FromHours(24);

    /// <summary>Activates break-glass access for the actor and answers the binding with its review.</summary>
    /// <exception cref="ApiProblem">404 for a project the actor cannot see; 403 <c>break-glass-not-allowed</c> when the project's
    /// settings do not allow it here, or the actor has an overdue review; 400 for a missing reason, incident, or a bad scope or duration.</exception>
    public async Task<BreakGlassBindingDto> HandleAsync(Actor actor, string projectId, BreakGlassRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var project = await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        var settings = ProjectSettings.BreakGlassOf(project);
        var role = request.Role ?? ProjectRoles.SqlEditorUser;
        if (!settings.Enabled) throw NotAllowed($"Break-glass is off in {project.Title}; request access instead.");
        if (!settings.Roles.Contains(role)) throw NotAllowed($"Break-glass in {project.Title} gives {string.Join(", ", settings.Roles)}, not {role}.");
        var reason = TextRules.Check("reason", request.Reason)?.Trim() ?? "";
        if (reason.Length == 0) throw ApiProblem.Validation("reason is required: say what the emergency is.", Field("reason"));
        if (reason.Length > 2000) throw ApiProblem.Validation("reason may have at most 2000 characters.", Field("reason"));
        ProjectSettings.CheckReason(project, reason);
        var incident = await IncidentRules.CheckAsync(db, TextRules.Check("incident", request.Incident, multiLine: false)?.Trim(), ct);
        if (settings.RequireIncident && incident is null) throw ApiProblem.Validation($"{project.Title} asks for the incident this emergency is about.", Field("incident"));
        if (request.Scope is null) throw ApiProblem.Validation("scope is required: break glass for the databases or tables the emergency needs.", Field("scope"));
        var scope = await ScopeRules.NormalizeAsync(db, projectId, request.Scope, ct);
        var environments = await db.Databases.AsNoTracking().Where(d => scope!.DatabaseIds().Contains(d.Id)).Select(d => d.EnvironmentId).Distinct().ToListAsync(ct);
        var outside = environments.Except(settings.Environments).ToList();
        if (outside.Count > 0) throw NotAllowed($"Break-glass in {project.Title} does not reach the {string.Join(", ", outside)} environment.");

        var now = clock.GetUtcNow();
        if (await db.BreakGlassReviews.AnyAsync(r => r.HolderId == actor.UserId && r.Status == BreakGlassReviews.Open && r.DueAt <= now, ct))
        {
            throw NotAllowed("Your earlier break-glass access has a review that is overdue; an approver must confirm or flag it first.");
        }

        // The shortest of the break-glass maximum and the maxima that apply to any access here.
        var max = await ExpiryRules.MaximumForAsync(db, projectId, scope, ct);
        var breakGlassMax = Durations.TryParse(settings.MaxDuration, out var bg) ? bg : BreakGlassSettings.DefaultMaxDuration;
        if (breakGlassMax < max.Value) max = new AccessMaximum(breakGlassMax, $"{project.Title}'s break-glass maximum");
        var window = ExpiryRules.Resolve(role, null, null, request.Duration ?? Durations.Format(max.Value), now, max);

        var binding = new Binding
        {
            ProjectId = projectId, PrincipalType = "user", PrincipalId = actor.UserId, Role = role,
            ScopeJson = Json.Serialize(scope), ExpiresAt = window.ExpiresAt, Source = BindingSources.BreakGlass,
            Reason = reason, CreatedBy = actor.UserId, CreatedAt = now, BreakGlass = true, IncidentId = incident,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Bindings.Add(binding);
        await db.SaveChangesAsync(ct);
        var review = new BreakGlassReview
        {
            BindingId = binding.Id, ProjectId = projectId, HolderId = actor.UserId, Status = BreakGlassReviews.Open, OpenedAt = now, DueAt = now + ReviewWindow,
        };
        db.BreakGlassReviews.Add(review);
        await db.SaveChangesAsync(ct);
        audit.Add(db, actor, AuditActions.BreakGlassActivate, CreateBinding.BindingResource(binding), AuditLog.Success,
            new { bindingId = binding.Id, reviewId = review.Id, role, scope, binding.ExpiresAt, reason, incident });
        outbox.Add(db, EventNames.BreakGlassActivated, projectId, bindingId: binding.Id, binding: new
        {
            id = binding.Id, principal = $"user:{actor.Email}", role, scope, binding.ExpiresAt, reason, incident, breakGlass = true,
            review = new { review.Id, review.Status, review.DueAt },
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await accessChanged.AfterCommitAsync("user", actor.UserId, narrowed: false, ct);
        return new BreakGlassBindingDto(BindingDto.From(binding, $"user:{actor.Email}", actor.Email, now), BreakGlassReviews.ToDto(review, actor.Email, null));
    }

    private static ApiProblem NotAllowed(string detail) => new(403, "break-glass-not-allowed", "Break-glass not allowed", detail);

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };
}

/// <summary>The break-glass binding and its review, as <c>POST /projects/{p}/break-glass</c> answers.</summary>
public sealed record BreakGlassBindingDto(BindingDto Binding, BreakGlassReviewDto Review);
