using JitGate.Core.Features.Events;
using JitGate.Core.Features.Risk;
using JitGate.Core.Features.Settings;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettings(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings").RequireAuthorization();
        settings.MapGet("/workspace", async (WorkspaceSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)));
        settings.MapPut("/workspace", async (UpdateWorkspaceSettingsRequest body, WorkspaceSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.UpdateAsync(ctx.Actor(), body, ct)));
        settings.MapGet("/risk-rules", async (RiskRuleSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)));
        settings.MapPut("/risk-rules", async (List<RiskRuleDto> body, RiskRuleSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.PutAsync(ctx.Actor(), body, ct)))
            .WithSummary("Replace the risk rules; a condition that does not parse or type-check is a 400 with its position");
        settings.MapGet("/approval-flows", async (ApprovalFlowSettings s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct)));
        settings.MapPut("/approval-flows", async (List<ApprovalFlowDto> body, ApprovalFlowSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.PutAsync(ctx.Actor(), body, ct)));

        api.MapGet("/events", async (long? after, string? @event, int? limit, ListEvents list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.HandleAsync(ctx.Actor(), after, @event, limit, ct)))
            .RequireAuthorization().WithTags("Events").WithSummary("The event outbox in order (admins and DBAs)");
        return api;
    }
}
