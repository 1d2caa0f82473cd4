using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Engines;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

public sealed record RegisterInstanceRequest(
    string? Name, string? Engine, string? Environment, string? Project,
    string? Host, int? Port, string? Username, string? Password, string? Path);

/// <summary>
/// Registers a database server (for SQLite: one database file), syncs the databases found and, when a
/// project is given, assigns them to it.
/// </summary>
public sealed class RegisterInstance(JitGateDb db, AuditLog audit, PolicyCache policy, SecretBox secrets, SqliteFileGuard guard, EngineRegistry engines, TimeProvider clock)
{
    public async Task<InstanceDto> HandleAsync(Actor actor, RegisterInstanceRequest request, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var name = (TextRules.Check("name", request.Name) ?? "").Trim();
        if (name.Length is 0 or > 100) throw ApiProblem.Validation("name is required (at most 100 characters).");
        var id = Slug.From(name);
        if (id.Length == 0) throw ApiProblem.Validation("name needs at least one letter or digit.");
        if (request.Environment is null || !await db.Environments.AnyAsync(e => e.Id == request.Environment, ct))
        {
            throw ApiProblem.Validation($"environment must name an existing environment (GET /api/v1/environments).");
        }
        if (request.Project is not null && !await db.Projects.AnyAsync(p => p.Id == request.Project, ct))
        {
            throw ApiProblem.Validation($"No project '{request.Project}'.");
        }
        if (await db.Instances.AnyAsync(i => i.Id == id, ct)) throw ApiProblem.Conflict($"An instance named '{id}' already exists.");

        var engine = engines.Require(request.Engine);
        var now = clock.GetUtcNow();
        Instance instance;
        IReadOnlyList<DiscoveredDatabase> found;
        if (engine.IsServer)
        {
            var server = RequireServer(engine, request);
            instance = new Instance
            {
                Id = id, Name = name, Engine = engine.Name, EnvironmentId = request.Environment, Host = server.Host, Port = server.Port,
                Username = server.AdminUsername, ProtectedPassword = secrets.Protect(server.AdminPassword), CreatedAt = now,
            };
            found = await DiscoverServerAsync(engine, server, ct);
        }
        else
        {
            var path = guard.Check(request.Path);
            instance = new Instance { Id = id, Name = name, Engine = engine.Name, EnvironmentId = request.Environment, Path = path, CreatedAt = now };
            found = await DiscoverFileAsync(engine, path, ct);
        }

        db.Instances.Add(instance);
        var databases = new List<DatabaseEntity>();
        foreach (var (dbName, tables, warnings) in found)
        {
            var database = new DatabaseEntity
            {
                Id = await DatabaseSync.NewDatabaseIdAsync(db, dbName, id, ct),
                Name = dbName,
                InstanceId = id,
                ProjectId = request.Project,
                EnvironmentId = request.Environment,
            };
            DatabaseSync.Apply(db, database, tables, now);
            InstanceWarnings.Store(database, warnings);
            db.Databases.Add(database);
            databases.Add(database);
        }
        audit.Add(db, actor, "instance.create", $"instance:{id}", AuditLog.Success,
            new { engine = instance.Engine, environment = instance.EnvironmentId, project = request.Project, databases = databases.Select(d => d.Id) });
        await db.SaveChangesAsync(ct);
        policy.Invalidate();
        return InstanceWarnings.ToDto(instance, databases);
    }

    private static EngineServer RequireServer(ITargetEngine engine, RegisterInstanceRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Host) || r.Host.Length > 255) throw ApiProblem.Validation($"host is required for a {engine.Title} instance.", Field("host"));
        if (r.Port is < 1 or > 65535) throw ApiProblem.Validation("port must be between 1 and 65535.", Field("port"));
        if (string.IsNullOrWhiteSpace(r.Username) || string.IsNullOrEmpty(r.Password))
        {
            throw ApiProblem.Validation($"username and password of JitGate's admin login are required (see the {engine.Title} setup in the README).", Field("username"));
        }
        return new EngineServer(TextRules.Check("host", r.Host)!.Trim(), r.Port ?? engine.DefaultPort, TextRules.Check("username", r.Username)!.Trim(), r.Password);
    }

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };

    /// <summary>Checks the admin login, then reads every database of the server.</summary>
    /// <exception cref="ApiProblem">400 <c>instance-check-failed</c> listing what the admin login lacks, or why the server cannot be read.</exception>
    internal static async Task<IReadOnlyList<DiscoveredDatabase>> DiscoverServerAsync(ITargetEngine engine, EngineServer server, CancellationToken ct)
    {
        try
        {
            var problems = await engine.CheckAdminAsync(server, ct);
            if (problems.Count > 0)
            {
                throw new ApiProblem(400, "instance-check-failed", "The instance cannot be used yet",
                    "JitGate's admin login is not ready: " + string.Join("; ", problems),
                    new Dictionary<string, object?> { ["problems"] = problems });
            }
            return await engine.DiscoverAsync(new EngineEndpoint(server, null), ct);
        }
        catch (EngineException e)
        {
            throw new ApiProblem(400, "instance-check-failed", "The instance cannot be used yet", e.Message);
        }
    }

    /// <summary>Reads the database file.</summary>
    /// <exception cref="ApiProblem">400 naming <c>path</c> when the file is not a database the engine can read.</exception>
    internal static async Task<IReadOnlyList<DiscoveredDatabase>> DiscoverFileAsync(ITargetEngine engine, string path, CancellationToken ct)
    {
        try
        {
            return await engine.DiscoverAsync(new EngineEndpoint(null, path), ct);
        }
        catch (EngineException e)
        {
            throw ApiProblem.Validation($"Could not read '{path}' as a {engine.Title} database: {e.Message}", Field("path"));
        }
    }
}
