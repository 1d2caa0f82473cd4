using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Risk;
using JitGate.Core.Features.Settings;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettings(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings").RequireAuthorization().Problems(401, 403);
        settings.MapGet("/workspace", async (WorkspaceSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)))
            .WithName("getWorkspaceSettings").WithSummary("Workspace settings: self-signup, the longest access, and the like");
        settings.MapPut("/workspace", async (UpdateWorkspaceSettingsRequest body, WorkspaceSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.UpdateAsync(ctx.Actor(), body, ct)))
            .WithName("updateWorkspaceSettings").Problems(400).WithSummary("Change workspace settings (workspace admins)");
        settings.MapGet("/risk-rules", async (RiskRuleSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)))
            .WithName("getRiskRules").WithSummary("The risk rules, in order, with warnings about each condition");
        settings.MapPut("/risk-rules", async (List<RiskRuleDto> body, RiskRuleSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.PutAsync(ctx.Actor(), body, ct)))
            .WithName("putRiskRules").Problems(400)
            .WithSummary("Replace the risk rules; a condition that does not parse or type-check is a 400 with its position");
        settings.MapGet("/approval-flows", async (ApprovalFlowSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)))
            .WithName("getApprovalFlows").WithSummary("The approval flow (ordered roles) for each source and risk level");
        settings.MapPut("/approval-flows", async (List<ApprovalFlowDto> body, ApprovalFlowSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.PutAsync(ctx.Actor(), body, ct)))
            .WithName("putApprovalFlows").Problems(400).WithSummary("Replace the approval flows");
        settings.MapGet("/audit-sinks", async (AuditSinks s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.ListAsync(ctx.Actor(), ct)))
            .WithName("listAuditSinks").WithSummary("Where the audit trail is streamed, with each sink's lag and last error (secrets never shown)");
        settings.MapPost("/audit-sinks", async (CreateAuditSinkRequest body, AuditSinks s, HttpContext ctx, CancellationToken ct) =>
        {
            var sink = await s.CreateAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/settings/audit-sinks/{sink.Id}", sink);
        }).WithName("createAuditSink").Problems(400)
            .WithSummary("Stream the audit trail to a syslog collector over TLS or an OpenTelemetry collector (workspace admins)");
        settings.MapDelete("/audit-sinks/{id:long}", async (long id, AuditSinks s, HttpContext ctx, CancellationToken ct) =>
        {
            await s.DeleteAsync(ctx.Actor(), id, ct);
            return TypedResults.NoContent();
        }).WithName("deleteAuditSink").Problems(404).WithSummary("Stop streaming to an audit sink");

        api.MapGet("/events", async (long? after, string? @event, int? limit, ListEvents list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.HandleAsync(ctx.Actor(), after, @event, limit, ct)))
            .RequireAuthorization().WithTags("Events").WithName("listEvents").Problems(400, 401, 403)
            .WithSummary("The event outbox in order (admins and DBAs)");
        return api;
    }
}
