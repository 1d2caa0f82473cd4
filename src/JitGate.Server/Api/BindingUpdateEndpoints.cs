using JitGate.Core.Features.Bindings;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class BindingUpdateEndpoints
{
    public static RouteGroupBuilder MapBindingUpdates(this RouteGroupBuilder api)
    {
        api.MapPatch("/projects/{project}/bindings/{id:long}", async (string project, long id, UpdateBindingRequest body, UpdateBinding update, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await update.HandleAsync(ctx.Actor(), project, id, body, ct)))
            .RequireAuthorization().WithTags("Bindings").WithName("updateBinding")
            .WithSummary("Change when an active binding expires (expiresAt, duration or neverExpires) and its reason")
            .Problems(400, 401, 403, 404, 409);
        api.MapPatch("/workspace/bindings/{id:long}", async (long id, UpdateBindingRequest body, UpdateBinding update, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await update.HandleAsync(ctx.Actor(), null, id, body, ct)))
            .RequireAuthorization().WithTags("Bindings").WithName("updateWorkspaceBinding")
            .WithSummary("Change when an active workspace binding expires, and its reason")
            .Problems(400, 401, 403, 404, 409);
        return api;
    }
}
