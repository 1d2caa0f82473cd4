using JitGate.Core.Features.Risk;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>Builds one risk context per database a request's scope reaches, and scores them.</summary>
public sealed class RequestRisk(JitGateDb db, RiskRuleSet rules, TimeProvider clock)
{
    /// <summary>The level and the rules behind it; a rule that fails to evaluate counts as matched (see <see cref="RiskRuleSet.Assess"/>).</summary>
    public async Task<RiskAssessment> AssessAsync(string projectId, string role, BindingScope? scope, long expirationDays, CancellationToken ct) =>
        RiskRuleSet.Assess(await rules.GetAsync(ct), RiskSources.RequestRole, await ContextsAsync(projectId, role, scope, expirationDays, "", ct));

    /// <summary>One context per database the scope reaches, as risk rules and approval-flow conditions see the request.</summary>
    public async Task<List<RiskContext>> ContextsAsync(string projectId, string role, BindingScope? scope, long expirationDays, string incidentStatus, CancellationToken ct)
    {
        var databases = await (from d in db.Databases.AsNoTracking()
                               join i in db.Instances.AsNoTracking() on d.InstanceId equals i.Id
                               where d.ProjectId == projectId
                               select new { d.Id, d.Name, d.EnvironmentId, i.Engine }).ToListAsync(ct);
        var wanted = scope is null
            ? databases.Select(d => d.Id).ToHashSet()
            : (scope.Databases ?? []).Concat((scope.Tables ?? []).Select(t => t.Database)).ToHashSet();
        var tableNames = await db.DatabaseTables.AsNoTracking().Where(t => wanted.Contains(t.DatabaseId))
            .Select(t => new { t.DatabaseId, t.Name }).ToListAsync(ct);
        var contexts = new List<RiskContext>();
        var now = clock.GetUtcNow();
        foreach (var d in databases.Where(d => wanted.Contains(d.Id)))
        {
            var whole = scope is null || (scope.Databases?.Contains(d.Id) ?? false);
            var tables = whole
                ? tableNames.Where(t => t.DatabaseId == d.Id).Select(t => t.Name)
                : (scope!.Tables ?? []).Where(t => t.Database == d.Id).Select(t => t.Table);
            contexts.Add(new RiskContext(d.EnvironmentId, projectId, d.Name, d.Engine, tables.Distinct().ToArray(), role, expirationDays, now) { IncidentStatus = incidentStatus });
        }
        return contexts;
    }
}
