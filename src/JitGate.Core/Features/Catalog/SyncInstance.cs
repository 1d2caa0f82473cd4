using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Engines;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

/// <summary>
/// Reads an instance again from its engine: each database's tables and views, databases created since
/// (added without a project), and what PUBLIC exposes in each (PostgreSQL). Admins and DBAs only.
/// </summary>
public sealed class SyncInstance(JitGateDb db, AuditLog audit, PolicyCache policy, JitGate.Core.Features.Engines.EngineTargets targets, EngineRegistry engines, SqliteFileGuard guard, TimeProvider clock)
{
    /// <summary>The instance with its databases and warnings as last synced.</summary>
    /// <exception cref="ApiProblem">403 for anyone but an admin or DBA; 404 for an unknown instance.</exception>
    public async Task<InstanceDto> GetAsync(Actor actor, string instanceId, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == instanceId, ct) ?? throw ApiProblem.NotFound($"Instance '{instanceId}'");
        var databases = await db.Databases.AsNoTracking().Where(d => d.InstanceId == instanceId).ToListAsync(ct);
        return InstanceWarnings.ToDto(instance, databases);
    }

    /// <summary>Syncs the instance now and answers it as <see cref="GetAsync"/> does.</summary>
    /// <exception cref="ApiProblem">403, 404 as for <see cref="GetAsync"/>; 400 <c>instance-check-failed</c> when the engine cannot be read.</exception>
    public async Task<InstanceDto> HandleAsync(Actor actor, string instanceId, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == instanceId, ct) ?? throw ApiProblem.NotFound($"Instance '{instanceId}'");
        var databases = await db.Databases.Include(d => d.Tables).Where(d => d.InstanceId == instanceId).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var added = new List<string>();
        var engine = engines[instance.Engine];
        var found = engine.IsServer
            ? await RegisterInstance.DiscoverServerAsync(engine, await targets.ServerAsync(db, instance.Id, ct), ct)
            : await RegisterInstance.DiscoverFileAsync(engine, guard.Check(instance.Path), ct);
        foreach (var (name, tables, warnings) in found)
        {
            // A file instance holds one database, whatever its file is called now.
            var database = engine.IsServer ? databases.FirstOrDefault(d => d.Name == name) : databases.FirstOrDefault();
            if (database is null)
            {
                database = new DatabaseEntity
                {
                    Id = await DatabaseSync.NewDatabaseIdAsync(db, name, instance.Id, ct), Name = name, InstanceId = instance.Id,
                    EnvironmentId = instance.EnvironmentId,
                };
                db.Databases.Add(database);
                databases.Add(database);
                added.Add(database.Id);
            }
            DatabaseSync.Apply(db, database, tables, now);
            InstanceWarnings.Store(database, warnings);
        }

        audit.Add(db, actor, "instance.sync", $"instance:{instance.Id}", AuditLog.Success, new
        {
            databases = databases.Select(d => d.Id), added,
            warnings = databases.ToDictionary(d => d.Id, d => InstanceWarnings.Of([d]).Count),
        });
        await db.SaveChangesAsync(ct);
        policy.Invalidate();
        return InstanceWarnings.ToDto(instance, databases);
    }
}
