using Microsoft.Extensions.Logging;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Events;
using JitGate.Core.Features.Requests;
using JitGate.Core.Features.Risk;
using JitGate.Core.Features.Slack;
using JitGate.Core.Features.Tokens;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Common;
using JitGate.Core.Features.Identity;
using JitGate.Core.Features.Query;
using JitGate.Core.Features.Sample;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using Npgsql;
using JitGate.Core.Persistence.Postgres;
using JitGate.Core.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core;

/// <summary>Registers JitGate's metadata store, policy and use cases.</summary>
public static class CoreServices
{
    public static IServiceCollection AddJitGateCore(this IServiceCollection services, string metadataConnectionString)
    {
        if (IsPostgres(metadataConnectionString))
        {
            // One connection pool per process for EF, the change feed and the cluster locks, so the
            // configured Maximum Pool Size bounds what a replica takes from the server.
            // Created by the container so that it is disposed, connections and all, with the host.
            services.AddSingleton(_ => NpgsqlDataSource.Create(metadataConnectionString));
            services.AddDbContextPool<JitGateDb, JitGatePostgresDb>((sp, o) => QuietCommandErrors(o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())));
            services.AddScoped(sp => (JitGatePostgresDb)sp.GetRequiredService<JitGateDb>());
            services.AddSingleton(sp => new MetadataStore(MetadataProvider.Postgres, metadataConnectionString, sp.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            // Contexts come from a pool (as for PostgreSQL): nearly every API call needs one, and
            // building one costs more than the queries many calls make.
            services.AddDbContextPool<JitGateDb>(o => QuietCommandErrors(o.UseSqlite(metadataConnectionString).AddInterceptors(new SqlitePragmas())));
            services.AddSingleton(new MetadataStore(MetadataProvider.Sqlite, metadataConnectionString));
        }
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<JitGateMetrics>();
        services.AddSingleton<QueryAuditWriter>();
        services.AddSingleton<ClusterLocks>();
        services.AddSingleton<AccessChanges>();
        services.AddSingleton<PolicyCache>();
        services.AddSingleton<RunningQueries>();
        services.AddSingleton<SplitStatements>();
        services.AddSingleton<TokenValidator>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<AuditLog>();
        services.AddScoped<Permissions>();

        services.AddScoped<Signup>();
        services.AddScoped<Login>();
        services.AddScoped<Logout>();
        services.AddScoped<CreateUser>();
        services.AddScoped<UpdateUser>();
        services.AddScoped<ListUsers>();
        services.AddScoped<Groups>();
        services.AddScoped<OidcSettings>();
        services.AddScoped<OidcSignIn>();
        services.AddScoped<ListEnvironments>();
        services.AddScoped<Projects>();
        services.AddScoped<Databases>();
        services.AddScoped<DatabaseMove>();
        services.AddScoped<RegisterInstance>();
        services.AddScoped<SyncInstance>();
        services.AddSingleton<SqliteFileGuard>();
        services.AddSingleton<StoreHealth>();
        services.AddScoped<Features.Lifecycle.ProjectSettings>();
        services.AddScoped<Features.Lifecycle.EnvironmentSettings>();
        services.AddScoped<Features.Lifecycle.LifecycleTicks>();
        services.AddScoped<Features.BreakGlass.ActivateBreakGlass>();
        services.AddScoped<Features.BreakGlass.BreakGlassReviews>();
        services.AddScoped<Features.Incidents.IncidentWebhook>();
        services.AddScoped<Features.Incidents.Incidents>();
        services.AddScoped<CreateBinding>();
        services.AddScoped<ListBindings>();
        services.AddScoped<RevokeBinding>();
        services.AddScoped<RecordExpiries>();
        services.AddScoped<NextAccessChange>();
        services.AddScoped<RunQuery>();
        services.AddScoped<SearchAudit>();
        services.AddScoped<WorkspaceSettings>();
        services.AddScoped<SampleSeeder>();
        services.AddScoped<CheckRiskCondition>();
        services.AddSingleton<RiskRuleSet>();
        services.AddScoped<EventOutbox>();
        services.AddScoped<ListEvents>();
        services.AddScoped<RiskRuleSettings>();
        services.AddScoped<ApprovalFlowSettings>();
        services.AddScoped<RequestRisk>();
        services.AddScoped<RequestFinalizer>();
        services.AddScoped<RequestDecision>();
        services.AddScoped<CreateAccessRequest>();
        services.AddScoped<ApproverCheck>();
        services.AddScoped<ApproveAccessRequest>();
        services.AddScoped<RejectAccessRequest>();
        services.AddScoped<CancelAccessRequest>();
        services.AddScoped<CommentOnAccessRequest>();
        services.AddScoped<ListAccessRequests>();
        services.AddSingleton<SecretBox>();
        services.AddScoped<PersonalTokens>();
        services.AddScoped<CliLogin>();
        services.AddScoped<ServiceAccounts>();
        services.AddScoped<Webhooks>();
        services.AddScoped<WebhookDispatcher>();
        services.AddScoped<SlackSettings>();
        services.AddScoped<SlackVerifier>();
        services.AddScoped<SlackUsers>();
        services.AddScoped<SlackCommands>();
        services.AddScoped<SlackInteractions>();
        services.AddScoped<SlackOutbox>();
        services.AddScoped<SlackOutboxSender>();
        services.AddSingleton<SlackOutboxSignal>();
        services.AddSingleton<SlackAnswers>();
        services.AddScoped<JitGate.Core.Features.Audit.AuditSinks>();
        services.AddScoped<JitGate.Core.Features.Audit.AuditStreamer>();
        services.AddSingleton<JitGate.Core.Features.Audit.AuditSinkBackoff>();
        services.AddSingleton<EngineTargets>();
        services.AddSingleton<JitGate.Core.Engines.EngineRegistry>();
        services.AddScoped<ReconcileEngineAccess>();
        services.AddScoped<AccessChanged>();
        services.AddScoped<IssueNativeCredentials>();
        return services;
    }

    /// <summary>A PostgreSQL connection string (Host=...) selects PostgreSQL; anything else is a SQLite one.</summary>
    public static bool IsPostgres(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) || connectionString.Contains("Server=", StringComparison.OrdinalIgnoreCase)
        || connectionString.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The default metadata store: a SQLite file in the data folder, in WAL mode.</summary>
    public static string SqliteConnectionStringFor(string dataDir) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(Path.GetFullPath(dataDir), "jitgate.db"),
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Applies migrations and creates the sample on first start.</summary>
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        // Replicas starting together take turns: one migrates and seeds, the others then find it done.
        await using var startup = await scope.ServiceProvider.GetRequiredService<ClusterLocks>().AcquireAsync(ClusterLocks.Startup, ct);
        await db.Database.MigrateAsync(ct);
        await scope.ServiceProvider.GetRequiredService<SampleSeeder>().EnsureAsync(ct);
        await scope.ServiceProvider.GetRequiredService<ChangeFeed>().EnsureAsync(ct);
    }

    /// <summary>
    /// A failed command, save or transaction is the caller's to judge: most are expected (a lost race on a
    /// unique key, the migrations history table that a fresh PostgreSQL store does not have yet, an approval
    /// whose commit PostgreSQL aborted as a deadlock and that runs again, a background pass canceled at
    /// shutdown) and handled there, and one that is not surfaces as an exception that the server logs as an
    /// error itself. EF Core would log every one as an error first; as a warning it stays visible without
    /// crying wolf.
    /// </summary>
    private static DbContextOptionsBuilder QuietCommandErrors(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log(
            (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError, LogLevel.Warning),
            (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.TransactionError, LogLevel.Warning),
            (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.SaveChangesFailed, LogLevel.Warning)));
}
