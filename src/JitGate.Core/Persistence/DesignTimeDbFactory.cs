using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace JitGate.Core.Persistence;

/// <summary>Lets dotnet-ef build the model without starting the server.</summary>
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<JitGateDb>
{
    public JitGateDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<JitGateDb>().UseSqlite("Data Source=design-time.db").Options);
}
