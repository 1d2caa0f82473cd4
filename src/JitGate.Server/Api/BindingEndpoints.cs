using JitGate.Core.Features.Bindings;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class BindingEndpoints
{
    public static RouteGroupBuilder MapBindings(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{project}/bindings").WithTags("Bindings").RequireAuthorization();
        project.MapPost("/", async (string project, CreateBindingRequest body, CreateBinding create, HttpContext ctx, CancellationToken ct) =>
        {
            var binding = await create.HandleAsync(ctx.Actor(), project, body, ct);
            return TypedResults.Created($"/api/v1/projects/{project}/bindings/{binding.Id}", binding);
        }).WithSummary("Grant a project role, optionally narrowed to databases or tables and limited in time");
        project.MapGet("/", async (string project, string? status, ListBindings list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.HandleAsync(ctx.Actor(), project, status, ct)));
        project.MapDelete("/{id:long}", async (string project, long id, RevokeBinding revoke, HttpContext ctx, CancellationToken ct) =>
        {
            await revoke.HandleAsync(ctx.Actor(), project, id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revoke a binding; access has ended when this answers");

        var workspace = api.MapGroup("/workspace/bindings").WithTags("Bindings").RequireAuthorization();
        workspace.MapPost("/", async (CreateBindingRequest body, CreateBinding create, HttpContext ctx, CancellationToken ct) =>
        {
            var binding = await create.HandleAsync(ctx.Actor(), null, body, ct);
            return TypedResults.Created($"/api/v1/workspace/bindings/{binding.Id}", binding);
        }).WithSummary("Grant a project role in every project");
        workspace.MapGet("/", async (string? status, ListBindings list, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await list.HandleAsync(ctx.Actor(), null, status, ct)));
        workspace.MapDelete("/{id:long}", async (long id, RevokeBinding revoke, HttpContext ctx, CancellationToken ct) =>
        {
            await revoke.HandleAsync(ctx.Actor(), null, id, ct);
            return TypedResults.NoContent();
        });
        return api;
    }
}
