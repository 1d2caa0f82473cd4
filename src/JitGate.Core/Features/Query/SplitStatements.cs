using JitGate.Core.Policy;
using JitGate.Engines;
using JitGate.Engines.Postgres;
using JitGate.Engines.Sqlite;

namespace JitGate.Core.Features.Query;

/// <summary>
/// Splits a script into the statements the database's engine sees, so that a client (the SQL editor)
/// can run them one after another through <see cref="RunQuery"/>, each checked and audited on its own.
/// Splitting grants nothing: a piece that still holds two statements is refused by the runner.
/// </summary>
public sealed class SplitStatements(PolicyCache policy)
{
    /// <summary>The statements of <paramref name="script"/> for the engine of <paramref name="databaseId"/> (PostgreSQL's rules for an unknown one).</summary>
    public async Task<List<string>> HandleAsync(string databaseId, string script, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(script);
        var snapshot = await policy.GetAsync(ct);
        var engine = snapshot.Databases.TryGetValue(databaseId, out var database) ? database.Engine : null;
        var spans = engine == "sqlite" ? SqliteStatements.Split(script) : PostgresStatements.Split(script);
        return spans.Select(s => s.Of(script)).ToList();
    }
}
