using JitGate.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace JitGate.Core.Persistence;

/// <summary>JitGate's metadata store.</summary>
public class JitGateDb : DbContext
{
    public JitGateDb(DbContextOptions<JitGateDb> options) : base(options) { }

    /// <summary>For the per-provider subclass, which carries its own migration set.</summary>
    protected JitGateDb(DbContextOptions options) : base(options) { }

    public DbSet<User> Users => Set<User>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<EnvironmentEntity> Environments => Set<EnvironmentEntity>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Instance> Instances => Set<Instance>();
    public DbSet<DatabaseEntity> Databases => Set<DatabaseEntity>();
    public DbSet<DatabaseTable> DatabaseTables => Set<DatabaseTable>();
    public DbSet<Binding> Bindings => Set<Binding>();
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();
    public DbSet<WorkspaceSetting> Settings => Set<WorkspaceSetting>();
    public DbSet<RiskRule> RiskRules => Set<RiskRule>();
    public DbSet<ApprovalFlow> ApprovalFlows => Set<ApprovalFlow>();
    public DbSet<AccessRequest> AccessRequests => Set<AccessRequest>();
    public DbSet<ApprovalStep> ApprovalSteps => Set<ApprovalStep>();
    public DbSet<RequestEvent> RequestEvents => Set<RequestEvent>();
    public DbSet<OutboxEvent> Outbox => Set<OutboxEvent>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<SlackLinkCode> SlackLinkCodes => Set<SlackLinkCode>();
    public DbSet<EngineRole> EngineRoles => Set<EngineRole>();
    public DbSet<BreakGlassReview> BreakGlassReviews => Set<BreakGlassReview>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<SlackOutboundMessage> SlackOutbound => Set<SlackOutboundMessage>();
    public DbSet<AuditSink> AuditSinks => Set<AuditSink>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no native timestamp type and cannot compare or order DateTimeOffset text; store
        // UTC ticks so range filters (expiry, audit since/until) run in the database.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        b.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasIndex(x => x.Email).IsUnique();
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.WorkspaceRole).HasMaxLength(40);
            e.Property(x => x.ExternalIssuer).HasMaxLength(400);
            e.Property(x => x.ExternalSubject).HasMaxLength(255);
        });
        b.Entity<Group>(e =>
        {
            e.ToTable("groups");
            e.HasIndex(x => x.Email).IsUnique();
            e.HasIndex(x => x.ExternalId).IsUnique();
            e.Property(x => x.ExternalId).HasMaxLength(400);
            e.HasMany(x => x.Members).WithOne().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<GroupMember>(e =>
        {
            e.ToTable("group_members");
            e.HasKey(x => new { x.GroupId, x.UserId });
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ApiToken>(e =>
        {
            e.ToTable("api_tokens");
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<EnvironmentEntity>(e => e.ToTable("environments"));
        b.Entity<Project>(e => e.ToTable("projects"));
        b.Entity<Instance>(e =>
        {
            e.ToTable("instances");
            e.HasOne<EnvironmentEntity>().WithMany().HasForeignKey(x => x.EnvironmentId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<DatabaseEntity>(e =>
        {
            e.ToTable("databases");
            e.HasOne<Instance>().WithMany().HasForeignKey(x => x.InstanceId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<EnvironmentEntity>().WithMany().HasForeignKey(x => x.EnvironmentId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Tables).WithOne().HasForeignKey(t => t.DatabaseId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.InstanceId, x.Name }).IsUnique();
        });
        b.Entity<DatabaseTable>(e =>
        {
            e.ToTable("database_tables");
            e.HasIndex(x => new { x.DatabaseId, x.Schema, x.Name }).IsUnique();
        });
        b.Entity<Binding>(e =>
        {
            e.ToTable("bindings");
            e.HasIndex(x => new { x.ProjectId, x.PrincipalType, x.PrincipalId });
            // The policy snapshot re-reads one principal's bindings after every grant and revoke, across
            // projects; without this each re-read scanned every binding (25 to 40 ms at 100,000).
            e.HasIndex(x => new { x.PrincipalType, x.PrincipalId });
            // The expiry job looks for due bindings every second.
            e.HasIndex(x => x.ExpiresAt);
            // The lifecycle job looks for windows that start, and an incident's resolution for its bindings.
            e.HasIndex(x => x.StartsAt);
            e.HasIndex(x => x.IncidentId);
            e.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AuditRecord>(e =>
        {
            e.ToTable("audit_records");
            e.HasIndex(x => x.At);
            e.HasIndex(x => new { x.Actor, x.At });
            e.HasIndex(x => new { x.Action, x.At });
            e.HasIndex(x => new { x.DatabaseId, x.At });
        });
        b.Entity<RiskRule>(e => e.ToTable("risk_rules"));
        b.Entity<ApprovalFlow>(e =>
        {
            e.ToTable("approval_flows");
            e.HasKey(x => new { x.Source, x.Level });
        });
        b.Entity<AccessRequest>(e =>
        {
            e.ToTable("access_requests");
            e.HasIndex(x => new { x.ProjectId, x.Status });
            e.HasIndex(x => x.RequesterId);
            // Pending requests past their decide-by time expire.
            e.HasIndex(x => new { x.Status, x.DecideBy });
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Steps).WithOne().HasForeignKey(s => s.RequestId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ApprovalStep>(e =>
        {
            e.ToTable("approval_steps");
            e.HasIndex(x => new { x.RequestId, x.Index }).IsUnique();
        });
        b.Entity<RequestEvent>(e =>
        {
            e.ToTable("request_events");
            e.HasIndex(x => x.RequestId);
            e.HasOne<AccessRequest>().WithMany().HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<OutboxEvent>(e =>
        {
            e.ToTable("outbox");
            e.HasKey(x => x.Seq);
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => x.OccurredAt);
        });
        b.Entity<Webhook>(e =>
        {
            e.ToTable("webhooks");
            e.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasIndex(x => new { x.WebhookId, x.EventId }).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasOne<Webhook>().WithMany().HasForeignKey(x => x.WebhookId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Log).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<WebhookAttempt>(e => e.ToTable("webhook_attempts"));
        b.Entity<SlackLinkCode>(e =>
        {
            e.ToTable("slack_link_codes");
            e.HasKey(x => x.CodeHash);
        });
        b.Entity<User>(e => e.HasIndex(x => x.SlackUserId).IsUnique());
        b.Entity<BreakGlassReview>(e =>
        {
            e.ToTable("break_glass_reviews");
            e.HasIndex(x => new { x.ProjectId, x.Status });
            e.HasIndex(x => new { x.HolderId, x.Status });
            e.HasIndex(x => x.BindingId).IsUnique();
        });
        b.Entity<Incident>(e =>
        {
            e.ToTable("incidents");
            e.HasKey(x => x.Id);
        });
        b.Entity<SlackOutboundMessage>(e =>
        {
            e.ToTable("slack_outbound");
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
        });
        b.Entity<AuditSink>(e => e.ToTable("audit_sinks"));
        b.Entity<EngineRole>(e =>
        {
            e.ToTable("engine_roles");
            e.HasIndex(x => new { x.DatabaseId, x.UserId, x.Kind }).IsUnique();
            // The reconcile after a change reads the changed users' logins in every database.
            e.HasIndex(x => x.UserId);
            e.HasIndex(x => x.RoleName).IsUnique();
            e.HasOne<DatabaseEntity>().WithMany().HasForeignKey(x => x.DatabaseId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<WorkspaceSetting>(e =>
        {
            e.ToTable("settings");
            e.HasKey(x => x.Key);
        });
    }
}
