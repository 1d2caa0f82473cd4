using JitGate.Core.Features.Catalog;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder api)
    {
        var catalog = api.MapGroup("").WithTags("Catalog").RequireAuthorization().Problems(401);
        catalog.MapGet("/environments", async (ListEnvironments list, CancellationToken ct) => TypedResults.Ok(await list.HandleAsync(ct)))
            .WithName("listEnvironments").WithSummary("The environments (test, prod, …) and whether each is protected");

        catalog.MapGet("/projects", async (Projects projects, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await projects.ListAsync(ctx.Actor(), ct)))
            .WithName("listProjects").WithSummary("The projects the caller can see");
        catalog.MapGet("/projects/{id}", async (string id, Projects projects, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await projects.GetAsync(ctx.Actor(), id, ct)))
            .WithName("getProject").Problems(404).WithSummary("One project the caller can see");
        catalog.MapPost("/projects", async (CreateProjectRequest body, Projects projects, HttpContext ctx, CancellationToken ct) =>
        {
            var project = await projects.CreateAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/projects/{project.Id}", project);
        }).WithName("createProject").Problems(400, 403, 409).WithSummary("Create a project (workspace admins)");

        catalog.MapPost("/instances", async (RegisterInstanceRequest body, RegisterInstance register, HttpContext ctx, CancellationToken ct) =>
        {
            var instance = await register.HandleAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/instances/{instance.Id}", instance);
        }).WithName("registerInstance").Problems(400, 403, 404, 409)
            .WithSummary("Register a database server (a SQLite file) and sync its databases");
        catalog.MapGet("/instances/{id}", async (string id, SyncInstance sync, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await sync.GetAsync(ctx.Actor(), id, ct)))
            .WithName("getInstance").Problems(403, 404)
            .WithSummary("An instance, its databases and what PUBLIC exposes in them, as last synced");
        catalog.MapGet("/instances/{id}/warnings", async (string id, SyncInstance sync, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok((await sync.GetAsync(ctx.Actor(), id, ct)).Warnings))
            .WithName("getInstanceWarnings").Problems(403, 404)
            .WithSummary("What every login reaches regardless of JitGate's grants (PostgreSQL PUBLIC), with the SQL that closes each");
        catalog.MapPost("/instances/{id}/sync", async (string id, SyncInstance sync, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await sync.HandleAsync(ctx.Actor(), id, ct)))
            .WithName("syncInstance").Problems(403, 404)
            .WithSummary("Read the instance's databases, tables and PUBLIC exposure again from its engine");

        catalog.MapGet("/databases", async (string? project, string? name, Databases databases, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await databases.ListAsync(ctx.Actor(), project, name, ct)))
            .WithName("listDatabases").Problems(400).WithSummary("Databases the caller can see, by project and name");
        catalog.MapGet("/databases/{id}", async (string id, Databases databases, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await databases.GetAsync(ctx.Actor(), id, ct)))
            .WithName("getDatabase").Problems(404).WithSummary("One database the caller can see");
        catalog.MapGet("/databases/{id}/tables", async (string id, Databases databases, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await databases.TablesAsync(ctx.Actor(), id, ct)))
            .WithName("listDatabaseTables").Problems(404).WithSummary("A database's tables and views (listing them is not access to their rows)");
        catalog.MapPatch("/databases/{id}", async (string id, UpdateDatabaseRequest body, Databases databases, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await databases.UpdateAsync(ctx.Actor(), id, body, ct)))
            .WithName("updateDatabase").Problems(400, 403, 404)
            .WithSummary("Move a database to another project or environment (workspace admins and DBAs)");
        catalog.MapPost("/databases/{id}/credentials", async (string id, [Microsoft.AspNetCore.Mvc.FromBody] JitGate.Core.Features.Engines.NativeCredentialsRequest? body,
                JitGate.Core.Features.Engines.IssueNativeCredentials issue, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await issue.HandleAsync(ctx.Actor(), id, body?.Rotate ?? false, ct)))
            .WithName("issueNativeCredentials").Problems(400, 403, 404, 409)
            .WithSummary("Temporary native credentials (PostgreSQL, MySQL, MariaDB) for your current access, at most 12 hours");
        return api;
    }
}
