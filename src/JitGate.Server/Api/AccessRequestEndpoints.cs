using JitGate.Core.Features.Requests;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class AccessRequestEndpoints
{
    public static RouteGroupBuilder MapAccessRequests(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{project}/access-requests").WithTags("Access requests").RequireAuthorization().Problems(401);
        project.MapPost("/", async (string project, CreateAccessRequestRequest body, CreateAccessRequest create, HttpContext ctx, CancellationToken ct) =>
        {
            var request = await create.HandleAsync(ctx.Actor(), project, body, ct);
            return TypedResults.Created($"/api/v1/access-requests/{request.Id}", request);
        }).WithName("createAccessRequest").Problems(400, 403, 404)
            .WithSummary("Ask for a role for a while, with a reason; scored by the risk rules and routed by the approval flow");
        project.MapPost("/preview", async (string project, CreateAccessRequestRequest body, CreateAccessRequest create, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await create.PreviewAsync(ctx.Actor(), project, body, ct)))
            .WithName("previewAccessRequest").Problems(400, 403, 404)
            .WithSummary("The risk level and approval steps a request would get, without making it");
        project.MapGet("/", async (string project, string? status, long? before, int? limit, ListAccessRequests list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(NextPageLink(ctx, await list.ForProjectPageAsync(ctx.Actor(), project, status, before, limit, ct))))
            .WithName("listProjectAccessRequests").Problems(400, 404)
            .WithSummary("A project's access requests, newest first, optionally of one status; a Link header (rel=next) gives the next page");

        var requests = api.MapGroup("/access-requests").WithTags("Access requests").RequireAuthorization().Problems(401);
        requests.MapGet("/", async (string? filter, string? status, long? before, int? limit, ListAccessRequests list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(NextPageLink(ctx, await list.AcrossProjectsPageAsync(ctx.Actor(), filter, status, before, limit, ct))))
            .WithName("listAccessRequests").Problems(400)
            .WithSummary("Requests across projects, newest first: filter=mine, waitingForMe or all; a Link header (rel=next) gives the next page");
        requests.MapGet("/{id:long}", async (long id, ListAccessRequests list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.GetAsync(ctx.Actor(), id, ct)))
            .WithName("getAccessRequest").Problems(400, 404)
            .WithSummary("One access request with its approval steps and timeline (its requester, approvers and admins)");
        requests.MapPost("/{id:long}/approve", async (long id, DecisionRequest? body, ApproveAccessRequest approve, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await approve.HandleAsync(ctx.Actor(), id, body, ct)))
            .WithName("approveAccessRequest").Problems(400, 403, 404, 409)
            .WithSummary("Approve the current step; the final step creates the binding (403 not-an-approver otherwise)");
        requests.MapPost("/{id:long}/reject", async (long id, DecisionRequest? body, RejectAccessRequest reject, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await reject.HandleAsync(ctx.Actor(), id, body, ct)))
            .WithName("rejectAccessRequest").Problems(400, 403, 404, 409)
            .WithSummary("Reject the request at its current step, with a comment");
        requests.MapPost("/{id:long}/cancel", async (long id, CancelAccessRequest cancel, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await cancel.HandleAsync(ctx.Actor(), id, ct)))
            .WithName("cancelAccessRequest").Problems(400, 403, 404, 409)
            .WithSummary("Withdraw one's own pending request");
        requests.MapPost("/{id:long}/comments", async (long id, DecisionRequest? body, CommentOnAccessRequest comment, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await comment.HandleAsync(ctx.Actor(), id, body, ct)))
            .WithName("commentOnAccessRequest").Problems(400, 403, 404)
            .WithSummary("Add a comment to the request's timeline");
        return api;
    }

    /// <summary>
    /// The page's requests; when more follow, a <c>Link: &lt;…&amp;before=ID&gt;; rel="next"</c> header (RFC 8288) with the
    /// same query and the next page's <c>before</c>.
    /// </summary>
    private static List<AccessRequestDto> NextPageLink(HttpContext ctx, AccessRequestPage page)
    {
        if (page.NextBefore is { } next)
        {
            // Query keys bind whatever their case, so a "Before" of the caller's must not stay beside the new one.
            var query = ctx.Request.Query.Where(q => !string.Equals(q.Key, "before", StringComparison.OrdinalIgnoreCase))
                .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
                .Append(FormattableString.Invariant($"before={next}"));
            ctx.Response.Headers.Link = $"<{ctx.Request.PathBase}{ctx.Request.Path}?{string.Join('&', query)}>; rel=\"next\"";
        }
        return page.Items;
    }
}
