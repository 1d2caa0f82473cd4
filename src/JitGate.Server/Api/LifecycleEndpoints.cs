using JitGate.Core.Features.BreakGlass;
using JitGate.Core.Features.Incidents;
using JitGate.Core.Features.Lifecycle;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

/// <summary>Project settings, environment maxima, break-glass and its reviews, and incidents (API.md, "Additions: Lifecycle").</summary>
internal static class LifecycleEndpoints
{
    public static RouteGroupBuilder MapLifecycle(this RouteGroupBuilder api)
    {
        var lifecycle = api.MapGroup("").WithTags("Lifecycle");
        lifecycle.MapGet("/projects/{project}/settings", async (string project, ProjectSettings settings, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await settings.GetAsync(ctx.Actor(), project, ct)))
            .RequireAuthorization().WithSummary("The project's lifecycle settings: self-approval, pending-request lifetime, reason pattern, break-glass, incident grace");
        lifecycle.MapPatch("/projects/{project}/settings", async (string project, UpdateProjectSettingsRequest body, ProjectSettings settings, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await settings.UpdateAsync(ctx.Actor(), project, body, ct)))
            .RequireAuthorization().WithSummary("Change the project's lifecycle settings (project owners and workspace admins)");
        lifecycle.MapPatch("/environments/{id}", async (string id, UpdateEnvironmentRequest body, EnvironmentSettings environments, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await environments.UpdateAsync(ctx.Actor(), id, body, ct)))
            .RequireAuthorization().WithSummary("Set an environment's own maximum access duration; the shortest maximum that applies wins");

        lifecycle.MapPost("/projects/{project}/break-glass", async (string project, BreakGlassRequest body, ActivateBreakGlass activate, HttpContext ctx, CancellationToken ct) =>
        {
            var made = await activate.HandleAsync(ctx.Actor(), project, body, ct);
            return TypedResults.Created($"/api/v1/projects/{project}/bindings/{made.Binding.Id}", made);
        }).RequireAuthorization().WithSummary("Break glass: emergency access at once, where the project allows it, reviewed afterwards");
        lifecycle.MapGet("/projects/{project}/break-glass/reviews", async (string project, BreakGlassReviews reviews, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await reviews.ListAsync(ctx.Actor(), project, ct)))
            .RequireAuthorization().WithSummary("Break-glass reviews of the project, open ones first");
        lifecycle.MapPost("/break-glass/reviews/{id:long}/confirm", async (long id, ReviewDecisionRequest? body, BreakGlassReviews reviews, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await reviews.DecideAsync(ctx.Actor(), id, confirm: true, body, ct)))
            .RequireAuthorization().WithSummary("Confirm a break-glass activation was warranted (the project's approvers, not the holder)");
        lifecycle.MapPost("/break-glass/reviews/{id:long}/flag", async (long id, ReviewDecisionRequest? body, BreakGlassReviews reviews, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await reviews.DecideAsync(ctx.Actor(), id, confirm: false, body, ct)))
            .RequireAuthorization().WithSummary("Flag a break-glass activation as not warranted, with a comment");

        lifecycle.MapGet("/incidents", async (Incidents incidents, CancellationToken ct) => TypedResults.Ok(await incidents.ListAsync(ct)))
            .RequireAuthorization().WithSummary("Incidents JitGate knows, open ones first");
        lifecycle.MapPut("/settings/incidents", async (IncidentSettingsRequest body, Incidents incidents, HttpContext ctx, CancellationToken ct) =>
        {
            await incidents.SetSecretAsync(ctx.Actor(), body, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization().WithSummary("Set the secret incident tools sign their deliveries with (workspace admins)");
        lifecycle.MapPost("/integrations/incidents", async (HttpRequest request, IncidentWebhook webhook, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ct);
            return TypedResults.Ok(await webhook.HandleAsync(request.Headers["X-JitGate-Timestamp"], request.Headers["X-JitGate-Signature"], body, ct));
        }).WithSummary("An incident tool opens, acknowledges or resolves an incident (signed like JitGate's webhooks; JitGate's JSON or PagerDuty v3)");
        return api;
    }
}
