using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Persistence;
using JitGate.Core.Engines;
using JitGate.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Sample;

/// <summary>
/// On the first start of a data folder: environments Test and Prod, the Sample Project, and the
/// hr_test and hr_prod SQLite databases from JitGate's own generator. Recorded as done, so a restart
/// never re-creates or duplicates anything, even after an admin deleted parts of it.
/// </summary>
public sealed class SampleSeeder(JitGateDb db, AuditLog audit, SecretBox secrets, EngineRegistry engines, TimeProvider clock, IOptions<JitGateOptions> options, ILogger<SampleSeeder> logger)
{
    private const string DoneKey = "sampleCreated";

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (await db.Settings.AnyAsync(s => s.Key == DoneKey, ct)) return;
        var now = clock.GetUtcNow();
        if (!await db.Environments.AnyAsync(ct))
        {
            db.Environments.AddRange(
                new EnvironmentEntity { Id = "test", Name = "Test", Protected = false },
                new EnvironmentEntity { Id = "prod", Name = "Prod", Protected = true });
        }
        if (options.Value.CreateSample)
        {
            var folder = Path.Combine(Path.GetFullPath(options.Value.DataDir), "sample");
            Directory.CreateDirectory(folder);
            db.Projects.Add(new Project { Id = "sample", Title = "Sample Project", CreatedAt = now });
            foreach (var (env, envName) in new[] { ("test", "Test"), ("prod", "Prod") })
            {
                var name = $"hr_{env}";
                var path = Path.Combine(folder, name + ".db");
                var sqlite = engines["sqlite"];
                var endpoint = new EngineEndpoint(null, path);
                if (!File.Exists(path))
                {
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        logger.LogInformation("Generating sample database {Name} with {Employees} employees", name, options.Value.SampleEmployees);
                    }
                    await sqlite.CreateSampleAsync(endpoint, name, options.Value.SampleEmployees, ct);
                }
                var instanceId = $"{env}-sqlite";
                db.Instances.Add(new Instance { Id = instanceId, Name = $"{envName} SQLite", Engine = sqlite.Name, EnvironmentId = env, Path = path, CreatedAt = now });
                var database = new DatabaseEntity { Id = name, Name = name, InstanceId = instanceId, ProjectId = "sample", EnvironmentId = env };
                DatabaseSync.Apply(db, database, (await sqlite.DiscoverAsync(endpoint, ct))[0].Tables, now);
                db.Databases.Add(database);
            }
        }
        if (options.Value.CreateSample && !string.IsNullOrWhiteSpace(options.Value.SamplePostgres))
        {
            await AddServerSampleAsync(engines["postgres"], options.Value.SamplePostgres, options.Value.SamplePostgresPrefix, "_pg", now, ct);
        }
        if (options.Value.CreateSample && !string.IsNullOrWhiteSpace(options.Value.SampleMySql) && engines.TryGet("mysql", out var mysql))
        {
            await AddServerSampleAsync(mysql, options.Value.SampleMySql, options.Value.SampleMySqlPrefix, "_my", now, ct);
        }
        db.Settings.Add(new WorkspaceSetting { Key = DoneKey, Value = now.ToString("O") });
        audit.Add(db, null, "sample.create", "workspace", AuditLog.Success,
            new { project = options.Value.CreateSample ? "sample" : null, employees = options.Value.SampleEmployees }, actorEmail: "system");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>hr_test and hr_prod on a server engine, filled by the same generator, registered in the Sample Project.</summary>
    private async Task AddServerSampleAsync(ITargetEngine engine, string connectionString, string prefix, string idSuffix, DateTimeOffset now, CancellationToken ct)
    {
        var server = engine.ParseConnectionString(connectionString);
        var endpoint = new EngineEndpoint(server, null);
        foreach (var (env, envName) in new[] { ("test", "Test"), ("prod", "Prod") })
        {
            var name = $"{prefix}hr_{env}";
            await engine.CreateSampleAsync(endpoint, name, options.Value.SampleEmployees, ct);
            var instanceId = $"{env}-{engine.Name}";
            db.Instances.Add(new Instance
            {
                Id = instanceId, Name = $"{envName} {engine.Title}", Engine = engine.Name, EnvironmentId = env,
                Host = server.Host, Port = server.Port, Username = server.AdminUsername, ProtectedPassword = secrets.Protect(server.AdminPassword), CreatedAt = now,
            });
            var database = new DatabaseEntity
            {
                Id = await DatabaseSync.NewDatabaseIdAsync(db, $"{name}{idSuffix}", instanceId, ct), Name = name,
                InstanceId = instanceId, ProjectId = "sample", EnvironmentId = env,
            };
            var found = (await engine.DiscoverAsync(endpoint, ct)).First(d => d.Name == name);
            DatabaseSync.Apply(db, database, found.Tables, now);
            InstanceWarnings.Store(database, found.Warnings);
            db.Databases.Add(database);
        }
    }
}
