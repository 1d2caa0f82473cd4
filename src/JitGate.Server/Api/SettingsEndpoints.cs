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
        return api;
    }
}
