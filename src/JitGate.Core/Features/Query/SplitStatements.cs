using JitGate.Core.Engines;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Query;

/// <summary>
/// Splits a script into the statements the database's engine sees, so that a client (the SQL editor)
/// can run them one after another through <see cref="RunQuery"/>, each checked and audited on its own.
/// Splitting grants nothing: a piece that still holds two statements is refused by the runner.
/// </summary>
public sealed class SplitStatements(PolicyCache policy, EngineRegistry engines)
{
    /// <summary>The statements of <paramref name="script"/> for the engine of <paramref name="databaseId"/>; an unknown database is one statement (the runner answers for it).</summary>
    public async Task<List<string>> HandleAsync(string databaseId, string script, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(script);
        var snapshot = await policy.GetAsync(ct);
        if (!snapshot.Databases.TryGetValue(databaseId, out var database) || !engines.TryGet(database.Engine, out var engine)) return [script];
        return engine.SplitStatements(script).Select(s => s.Of(script)).ToList();
    }
}
