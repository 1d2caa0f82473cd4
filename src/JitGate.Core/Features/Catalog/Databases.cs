using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Engines;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

public sealed record UpdateDatabaseRequest(string? Project, string? Environment);

/// <summary>
/// Databases and their tables. Listing is not access to data: any member of a project sees its
/// databases and table names; reading rows needs a binding.
/// </summary>
public sealed class Databases(JitGateDb db, Permissions permissions, AuditLog audit, PolicyCache policy, DatabaseMove move, JitGate.Core.Features.Engines.AccessChanged accessChanged)
{
    public async Task<List<DatabaseDto>> ListAsync(Actor actor, string? project, string? name, CancellationToken ct)
    {
        var query = from d in db.Databases.AsNoTracking()
                    join i in db.Instances.AsNoTracking() on d.InstanceId equals i.Id
                    select new { d, i.Engine };
        if (project is not null) query = query.Where(x => x.d.ProjectId == project);
        if (name is not null) query = query.Where(x => x.d.Name == name);
        var rows = await query.OrderBy(x => x.d.Name).ToListAsync(ct);
        var visible = new List<DatabaseDto>();
        foreach (var row in rows)
        {
            if (await permissions.CanSeeDatabaseAsync(actor, row.d.ProjectId, ct)) visible.Add(ToDto(row.d, row.Engine));
        }
        return visible;
    }

    public async Task<DatabaseDto> GetAsync(Actor actor, string id, CancellationToken ct)
    {
        var database = await permissions.LoadDatabaseForMemberAsync(actor, id, ct);
        return ToDto(database, await EngineOfAsync(database.InstanceId, ct));
    }

    public async Task<List<TableDto>> TablesAsync(Actor actor, string id, CancellationToken ct)
    {
        var database = await permissions.LoadDatabaseForMemberAsync(actor, id, ct);
        var tables = await db.DatabaseTables.AsNoTracking().Where(t => t.DatabaseId == database.Id)
            .OrderBy(t => t.Schema).ThenBy(t => t.Name).ToListAsync(ct);
        return tables.Select(t => new TableDto(t.Schema, t.Name, t.Kind, Json.Deserialize<List<ColumnDto>>(t.ColumnsJson) ?? [])).ToList();
    }

    /// <summary>
    /// Moves a database to another project (or to none, with an empty <c>project</c>) and/or another
    /// environment. A move's consequences (<see cref="DatabaseMove"/>) commit with it, and its audit record
    /// lists the old project's bindings that named the database and the requests canceled.
    /// </summary>
    /// <exception cref="ApiProblem">403 for anyone but an admin or DBA; 404 for an unknown database; 400 for an unknown
    /// project or environment; 409 when a request the move cancels changed at the same moment.</exception>
    public async Task<DatabaseDto> UpdateAsync(Actor actor, string id, UpdateDatabaseRequest request, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var database = await db.Databases.FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw ApiProblem.NotFound($"Database '{id}'");
        var before = new { project = database.ProjectId, environment = database.EnvironmentId };
        if (request.Project is not null)
        {
            if (request.Project.Length == 0) database.ProjectId = null;
            else if (!await db.Projects.AnyAsync(p => p.Id == request.Project, ct)) throw ApiProblem.Validation($"No project '{request.Project}'.");
            else database.ProjectId = request.Project;
        }
        if (request.Environment is not null)
        {
            if (!await db.Environments.AnyAsync(e => e.Id == request.Environment, ct)) throw ApiProblem.Validation($"No environment '{request.Environment}'.");
            database.EnvironmentId = request.Environment;
        }
        var moved = await move.ApplyAsync(actor, database, before.project, database.ProjectId, ct);
        audit.Add(db, actor, "database.update", $"database:{id}", AuditLog.Success,
            new
            {
                before,
                after = new { project = database.ProjectId, environment = database.EnvironmentId },
                affectedBindings = moved.Bindings,
                canceledRequests = moved.CanceledRequests,
            }, databaseId: id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ApiProblem.Conflict("An access request naming this database changed at the same moment; try the move again.");
        }
        policy.Invalidate();
        if (before.project != database.ProjectId) await accessChanged.AfterDatabaseMovedAsync(id, ct);
        return ToDto(database, await EngineOfAsync(database.InstanceId, ct));
    }

    private Task<string> EngineOfAsync(string instanceId, CancellationToken ct) =>
        db.Instances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.Engine).FirstAsync(ct);

    public static DatabaseDto ToDto(DatabaseEntity d, string engine) => new(d.Id, d.Name, d.ProjectId, d.EnvironmentId, d.InstanceId, engine);
}
