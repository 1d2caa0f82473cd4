using JitGate.Core.Features.Query;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class QueryEndpoints
{
    public static RouteGroupBuilder MapQuery(this RouteGroupBuilder api)
    {
        api.MapPost("/query", async (QueryRequest body, RunQuery run, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await run.HandleAsync(ctx.Actor(), body, ct)))
            .RequireAuthorization().WithTags("Query").WithName("runQuery")
            .WithSummary("Run one read-only statement with the caller's access")
            .Problems(400, 401, 403, 404);
        return api;
    }
}
