using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace JitGate.Core.Persistence.Postgres;

/// <summary>
/// The metadata store on PostgreSQL, for several replicas: the same model as <see cref="JitGateDb"/>
/// with its own migration set, plus the Data Protection key ring all replicas share.
/// </summary>
public sealed class JitGatePostgresDb(DbContextOptions<JitGatePostgresDb> options) : JitGateDb(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
    }
}

/// <summary>Lets dotnet-ef build the PostgreSQL model without a server.</summary>
internal sealed class DesignTimePostgresDbFactory : IDesignTimeDbContextFactory<JitGatePostgresDb>
{
    public JitGatePostgresDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<JitGatePostgresDb>().UseNpgsql("Host=localhost;Database=jitgate_design").Options);
}
