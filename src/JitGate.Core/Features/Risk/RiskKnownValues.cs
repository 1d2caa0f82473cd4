using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Risk;

/// <summary>
/// The values each string variable of a risk condition can take, read from the metadata store when the
/// rules are saved: environment and project ids, database and table names, engines and roles, each in
/// the form its variable gives (Bytebase's names use <c>roles/…</c> and upper-case engines).
/// </summary>
internal static class RiskKnownValues
{
    // Engines a rule may name before any instance of them is registered.
    private static readonly string[] Engines = ["sqlite", "postgres", "mysql"];

    public static async Task<Dictionary<string, IReadOnlySet<string>>> LoadAsync(JitGateDb db, CancellationToken ct)
    {
        var environments = await db.Environments.AsNoTracking().Select(e => e.Id).ToListAsync(ct);
        var projects = await db.Projects.AsNoTracking().Select(p => p.Id).ToListAsync(ct);
        var databases = await db.Databases.AsNoTracking().Select(d => d.Name).Distinct().ToListAsync(ct);
        var tables = await db.DatabaseTables.AsNoTracking().Select(t => t.Name).Distinct().ToListAsync(ct);
        var engines = (await db.Instances.AsNoTracking().Select(i => i.Engine).Distinct().ToListAsync(ct)).Concat(Engines).ToHashSet(StringComparer.Ordinal);

        static IReadOnlySet<string> Set(IEnumerable<string> values) => values.ToHashSet(StringComparer.Ordinal);
        return new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
        {
            ["environment_id"] = Set(environments),
            ["resource.environment_id"] = Set(environments),
            ["project_id"] = Set(projects),
            ["resource.project_id"] = Set(projects),
            ["database_name"] = Set(databases),
            ["resource.database_name"] = Set(databases),
            ["table_names"] = Set(tables),
            ["table_name"] = Set(tables),
            ["resource.table_names"] = Set(tables),
            ["resource.table_name"] = Set(tables),
            ["db_engine"] = Set(engines),
            ["resource.db_engine"] = Set(engines.Select(RiskContext.BytebaseEngine)),
            ["role"] = Set(ProjectRoles.All),
            ["request.role"] = Set(ProjectRoles.All.Select(r => RiskContext.BytebaseRolePrefix + r)),
        };
    }
}
