using System.Data.Common;
using JitGate.Core;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace JitGate.Bench;

/// <summary>
/// A diagnostic for the query suite: one audit record written the way RunQuery writes it (a fresh
/// JitGateDb unit of work, AuditLog.Add, SaveChangesAsync) against the server's own metadata store, from
/// this process, with the server's connection string and per-connection pragmas.
/// </summary>
internal sealed class AuditWriteProbe(string dataDir)
{
    private readonly DbContextOptions<JitGateDb> _options = new DbContextOptionsBuilder<JitGateDb>()
        .UseSqlite(CoreServices.SqliteConnectionStringFor(dataDir))
        .AddInterceptors(new Pragmas())
        .Options;
    private static readonly string[] Tables = ["main.employee"];
    private readonly AuditLog _audit = new(TimeProvider.System);

    public async Task WriteAsync()
    {
        await using var db = new JitGateDb(_options);
        _audit.Add(db, null, "bench.probe", "databases/hr_prod", AuditLog.Allowed,
            new { statement = "select emp_no, first_name, last_name from employee where emp_no = 10001", tables = Tables, rowCount = 1, truncated = false, elapsedMs = 0 },
            "hr_prod", actorEmail: "bench@example.com");
        await db.SaveChangesAsync();
    }

    /// <summary>The same per-connection settings as the server's SqlitePragmas interceptor.</summary>
    private sealed class Pragmas : DbConnectionInterceptor
    {
        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
            command.ExecuteNonQuery();
            return Task.CompletedTask;
        }
    }
}
