using JitGate.Core;
using JitGate.Core.Common;
using JitGate.Core.Features.Query;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Bench;

/// <summary>
/// A diagnostic for the query suite: JitGate's own query use case (RunQuery: policy, engine run, audit
/// commit) called in this process against the server's data folder, without HTTP, authentication or JSON.
/// The gap between it and POST /query is the web layer's.
/// </summary>
internal sealed class RunQueryProbe : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly Actor _actor;

    public RunQueryProbe(string dataDir, long userId, string email)
    {
        var services = new ServiceCollection().AddLogging().AddMetrics().AddSingleton(TimeProvider.System);
        services.AddOptions<JitGateOptions>();
        // Only resolved, never used on this path (secrets of PostgreSQL instances).
        services.AddDataProtection().SetApplicationName("JitGate bench");
        services.AddJitGateCore(CoreServices.SqliteConnectionStringFor(dataDir));
        JitGate.Engines.EngineServices.AddJitGateEngines(services);
        _services = services.BuildServiceProvider();
        _actor = new Actor(userId, email, "admin", null);
    }

    public async Task RunAsync(string database, string statement)
    {
        await using var scope = _services.CreateAsyncScope();
        var answer = await scope.ServiceProvider.GetRequiredService<RunQuery>().HandleAsync(_actor, new QueryRequest(database, statement, null), CancellationToken.None);
        if (answer.RowCount != 1) throw new InvalidOperationException($"expected one row, got {answer.RowCount}");
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
