using JitGate.Core.Features.Bindings;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class BindingEndpoints
{
    public static RouteGroupBuilder MapBindings(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{project}/bindings").WithTags("Bindings").RequireAuthorization().Problems(401);
        project.MapPost("/", async (string project, CreateBindingRequest body, CreateBinding create, HttpContext ctx, CancellationToken ct) =>
        {
            var binding = await create.HandleAsync(ctx.Actor(), project, body, ct);
            return TypedResults.Created($"/api/v1/projects/{project}/bindings/{binding.Id}", binding);
        }).WithName("createBinding").Problems(400, 403, 404)
            .WithSummary("Grant a project role, optionally narrowed to databases or tables and limited in time");
        project.MapGet("/", async (string project, string? status, ListBindings list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.HandleAsync(ctx.Actor(), project, status, ct)))
            .WithName("listBindings").Problems(400, 404)
            .WithSummary("A project's bindings, each active, expired or revoked");
        project.MapDelete("/{id:long}", async (string project, long id, RevokeBinding revoke, HttpContext ctx, CancellationToken ct) =>
        {
            await revoke.HandleAsync(ctx.Actor(), project, id, ct);
            return TypedResults.NoContent();
        }).WithName("revokeBinding").Problems(400, 403, 404, 409)
            .WithSummary("Revoke a binding; access has ended when this answers");

        var workspace = api.MapGroup("/workspace/bindings").WithTags("Bindings").RequireAuthorization().Problems(401);
        workspace.MapPost("/", async (CreateBindingRequest body, CreateBinding create, HttpContext ctx, CancellationToken ct) =>
        {
            var binding = await create.HandleAsync(ctx.Actor(), null, body, ct);
            return TypedResults.Created($"/api/v1/workspace/bindings/{binding.Id}", binding);
        }).WithName("createWorkspaceBinding").Problems(400, 403)
            .WithSummary("Grant a project role in every project");
        workspace.MapGet("/", async (string? status, ListBindings list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.HandleAsync(ctx.Actor(), null, status, ct)))
            .WithName("listWorkspaceBindings").Problems(400, 403)
            .WithSummary("Bindings that hold in every project");
        workspace.MapDelete("/{id:long}", async (long id, RevokeBinding revoke, HttpContext ctx, CancellationToken ct) =>
        {
            await revoke.HandleAsync(ctx.Actor(), null, id, ct);
            return TypedResults.NoContent();
        }).WithName("revokeWorkspaceBinding").Problems(400, 403, 404, 409)
            .WithSummary("Revoke a workspace binding; access has ended when this answers");
        return api;
    }
}
