using JitGate.Core;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Bench;

/// <summary>
/// A diagnostic for the query suite: one audit record written the way RunQuery writes it (through
/// JitGate's QueryAuditWriter, committed before the call returns) against the server's own metadata
/// store, from this process, with the server's connection string. Concurrent callers share commits,
/// as queries in the server do.
/// </summary>
internal sealed class AuditWriteProbe : IAsyncDisposable
{
    private static readonly string[] Tables = ["main.employee"];
    private readonly ServiceProvider _services;
    private readonly QueryAuditWriter _writer;
    private readonly AuditLog _audit = new(TimeProvider.System);

    public AuditWriteProbe(string dataDir)
    {
        var connectionString = CoreServices.SqliteConnectionStringFor(dataDir);
        _services = new ServiceCollection()
            .AddDbContext<JitGateDb>(o => o.UseSqlite(connectionString))
            .AddSingleton(new MetadataStore(MetadataProvider.Sqlite, connectionString))
            .AddSingleton<QueryAuditWriter>()
            .BuildServiceProvider();
        _writer = _services.GetRequiredService<QueryAuditWriter>();
    }

    public Task WriteAsync() => _writer.WriteAsync(_audit.Create(null, "bench.probe", "databases/hr_prod", AuditLog.Allowed,
        new { statement = "select emp_no, first_name, last_name from employee where emp_no = 10001", tables = Tables, rowCount = 1, truncated = false, elapsedMs = 0 },
        "hr_prod", actorEmail: "bench@example.com"));

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
