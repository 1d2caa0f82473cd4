using JitGate.Core.Features.Audit;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async ([AsParameters] AuditQuery query, SearchAudit search, HttpContext ctx, CancellationToken ct) =>
        {
            var page = await search.HandleAsync(ctx.Actor(), query, ct);
            ctx.Response.Headers["X-Page"] = page.Page.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ctx.Response.Headers["X-Has-More"] = page.HasMore ? "true" : "false";
            return TypedResults.Ok(page.Records);
        }).RequireAuthorization().WithTags("Audit").WithName("searchAudit").Problems(400, 401, 403)
            .WithSummary("Audit records, newest first; X-Has-More tells whether page+1 has more");
        return api;
    }
}
