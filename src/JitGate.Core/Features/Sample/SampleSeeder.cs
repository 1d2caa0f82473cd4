using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Persistence;
using JitGate.Engines.Sqlite;
using JitGate.Engines.Postgres;
using JitGate.Core.Common;
using Npgsql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Sample;

/// <summary>
/// On the first start of a data folder: environments Test and Prod, the Sample Project, and the
/// hr_test and hr_prod SQLite databases from JitGate's own generator. Recorded as done, so a restart
/// never re-creates or duplicates anything, even after an admin deleted parts of it.
/// </summary>
public sealed class SampleSeeder(JitGateDb db, AuditLog audit, SecretBox secrets, TimeProvider clock, IOptions<JitGateOptions> options, ILogger<SampleSeeder> logger)
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
                if (!File.Exists(path))
                {
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        logger.LogInformation("Generating sample database {Name} with {Employees} employees", name, options.Value.SampleEmployees);
                    }
                    SampleDatabaseGenerator.Create(path, options.Value.SampleEmployees);
                }
                var instanceId = $"{env}-sqlite";
                db.Instances.Add(new Instance { Id = instanceId, Name = $"{envName} SQLite", Engine = "sqlite", EnvironmentId = env, Path = path, CreatedAt = now });
                var database = new DatabaseEntity { Id = name, Name = name, InstanceId = instanceId, ProjectId = "sample", EnvironmentId = env };
                DatabaseSync.Apply(db, database, SqliteSchemaReader.Read(path), now);
                db.Databases.Add(database);
            }
        }
        if (options.Value.CreateSample && !string.IsNullOrWhiteSpace(options.Value.SamplePostgres)) await AddPostgresSampleAsync(options.Value.SamplePostgres, now, ct);
        db.Settings.Add(new WorkspaceSetting { Key = DoneKey, Value = now.ToString("O") });
        audit.Add(db, null, "sample.create", "workspace", AuditLog.Success,
            new { project = options.Value.CreateSample ? "sample" : null, employees = options.Value.SampleEmployees }, actorEmail: "system");
        await db.SaveChangesAsync(ct);
    }

    private async Task AddPostgresSampleAsync(string connectionString, DateTimeOffset now, CancellationToken ct)
    {
        var login = new NpgsqlConnectionStringBuilder(connectionString);
        var server = new PostgresServer(login.Host ?? "localhost", login.Port, login.Username ?? "", login.Password ?? "");
        foreach (var (env, envName) in new[] { ("test", "Test"), ("prod", "Prod") })
        {
            var name = $"{options.Value.SamplePostgresPrefix}hr_{env}";
            await PostgresSampleGenerator.CreateAsync(connectionString, name, options.Value.SampleEmployees, ct: ct);
            var instanceId = $"{env}-postgres";
            db.Instances.Add(new Instance
            {
                Id = instanceId, Name = $"{envName} PostgreSQL", Engine = "postgres", EnvironmentId = env,
                Host = server.Host, Port = server.Port, Username = server.AdminUsername, ProtectedPassword = secrets.Protect(server.AdminPassword), CreatedAt = now,
            });
            var database = new DatabaseEntity
            {
                Id = await DatabaseSync.NewDatabaseIdAsync(db, $"{name}_pg", instanceId, ct), Name = name,
                InstanceId = instanceId, ProjectId = "sample", EnvironmentId = env,
            };
            DatabaseSync.Apply(db, database, await PostgresCatalog.ReadTablesAsync(server, name, ct), now);
            db.Databases.Add(database);
        }
    }
}
