using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Risk;

/// <summary>
/// An approval flow: the steps a request of this source and level needs, and optionally a CEL condition
/// (<paramref name="AutoApproveWhen"/>, e.g. <c>request.incident.status == "triggered"</c>) under which the
/// steps are skipped and the request is approved at once. <paramref name="AutoApprove"/> is answered, never
/// read: true when the flow has no steps, so requests at that level are approved at once.
/// </summary>
public sealed record ApprovalFlowDto(string? Source, string? Level, List<string>? Steps, string? AutoApproveWhen = null, bool? AutoApprove = null);

/// <summary>
/// Approval flows per (source, level). A level without a flow falls back to one project owner's
/// approval; only an explicitly saved empty list approves at once.
/// </summary>
public sealed class ApprovalFlowSettings(JitGateDb db, AuditLog audit)
{
    public static readonly IReadOnlyList<string> DefaultSteps = [ProjectRoles.Owner];
    public static readonly IReadOnlyList<string> StepRoles = [ProjectRoles.Owner, WorkspaceRoles.Dba, WorkspaceRoles.Admin];

    public async Task<List<ApprovalFlowDto>> GetAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var flows = await db.ApprovalFlows.AsNoTracking().ToListAsync(ct);
        return flows.OrderBy(f => f.Source).ThenBy(f => RiskLevels.Rank(f.Level))
            .Select(f => (f, Steps: Json.Deserialize<List<string>>(f.StepsJson) ?? []))
            .Select(x => new ApprovalFlowDto(x.f.Source, x.f.Level, x.Steps, x.f.AutoApproveWhen, x.Steps.Count == 0)).ToList();
    }

    public async Task<List<ApprovalFlowDto>> PutAsync(Actor actor, List<ApprovalFlowDto>? flows, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        if (flows is null) throw ApiProblem.Validation("Send the whole list of flows: [{source, level, steps: [role, ...]}].");
        var groups = (await db.Groups.AsNoTracking().Select(g => g.Email).ToListAsync(ct)).ToHashSet();
        var entities = new List<ApprovalFlow>();
        foreach (var f in flows)
        {
            var source = f?.Source ?? RiskSources.RequestRole;
            if (!RiskSources.All.Contains(source)) throw ApiProblem.Validation($"source must be one of {string.Join(", ", RiskSources.All)}.");
            if (f?.Level is null || !RiskLevels.All.Contains(f.Level)) throw ApiProblem.Validation("level must be low, moderate or high.");
            if (f.Steps is null) throw ApiProblem.Validation($"steps is required for {source}/{f.Level} (an empty list approves at once).");
            if (f.Steps.Count > 10) throw ApiProblem.Validation("A flow has at most 10 steps.");
            foreach (var step in f.Steps)
            {
                var ok = StepRoles.Contains(step) || (step?.StartsWith("group:", StringComparison.Ordinal) == true && groups.Contains(step["group:".Length..]));
                if (!ok) throw ApiProblem.Validation($"Step '{step}' must be one of {string.Join(", ", StepRoles)} or group:<email> of an existing group.");
            }
            if (entities.Any(e => e.Source == source && e.Level == f.Level)) throw ApiProblem.Validation($"{source}/{f.Level} appears twice.");
            var when = string.IsNullOrWhiteSpace(f.AutoApproveWhen) ? null : f.AutoApproveWhen;
            if (when is not null)
            {
                try
                {
                    Policy.Cel.CelCompiler.Compile(when, RiskContext.Variables);
                }
                catch (Policy.Cel.CelException e)
                {
                    throw ApiProblem.Validation($"autoApproveWhen of {source}/{f.Level}: {e.Message}",
                        new Dictionary<string, object?> { ["field"] = "autoApproveWhen", ["position"] = e.Position });
                }
            }
            entities.Add(new ApprovalFlow { Source = source, Level = f.Level, StepsJson = Json.Serialize(f.Steps), AutoApproveWhen = when });
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ApprovalFlows.RemoveRange(await db.ApprovalFlows.ToListAsync(ct));
        db.ApprovalFlows.AddRange(entities);
        audit.Add(db, actor, "settings.approvalFlows.update", "settings/approval-flows", AuditLog.Success, new { flows });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await GetAsync(actor, ct);
    }

    /// <summary>
    /// True when the level's flow has an auto-approval condition and it holds for every one of the request's
    /// contexts. A condition that fails to evaluate does not auto-approve: the steps then apply (fail closed).
    /// </summary>
    public static async Task<bool> AutoApprovesAsync(JitGateDb db, string source, string level, IReadOnlyList<RiskContext> contexts, CancellationToken ct)
    {
        var when = await db.ApprovalFlows.AsNoTracking().Where(f => f.Source == source && f.Level == level).Select(f => f.AutoApproveWhen).FirstOrDefaultAsync(ct);
        if (when is null || contexts.Count == 0) return false;
        try
        {
            var condition = Policy.Cel.CelCompiler.Compile(when, RiskContext.Variables);
            return contexts.All(condition);
        }
        catch (Exception e) when (e is Policy.Cel.CelException or Policy.Cel.CelEvaluationException)
        {
            return false;
        }
    }

    /// <summary>The steps a new request of this source and level needs.</summary>
    public static async Task<List<string>> StepsForAsync(JitGateDb db, string source, string level, CancellationToken ct)
    {
        var json = await db.ApprovalFlows.AsNoTracking().Where(f => f.Source == source && f.Level == level).Select(f => f.StepsJson).FirstOrDefaultAsync(ct);
        return json is null ? [.. DefaultSteps] : Json.Deserialize<List<string>>(json) ?? [];
    }
}
