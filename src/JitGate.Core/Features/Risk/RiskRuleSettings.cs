using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Policy.Cel;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Risk;

/// <summary>
/// A risk rule. <see cref="Warnings"/> is filled in answers only: sentences about parts of the condition
/// that can never match (a literal no known value equals); a rule with warnings is still saved.
/// </summary>
public sealed record RiskRuleDto(long? Id, string? Source, string? Level, string? Title, string? Condition, List<string>? Warnings = null);

/// <summary>
/// Reads and replaces the risk rules. A condition that does not parse or type-check, names an unknown
/// variable or holds an invalid regular expression saves nothing (400 with ruleIndex and position).
/// </summary>
public sealed class RiskRuleSettings(JitGateDb db, AuditLog audit, RiskRuleSet ruleSet)
{
    public async Task<List<RiskRuleDto>> GetAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        var rules = await db.RiskRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(ct);
        var known = await RiskKnownValues.LoadAsync(db, ct);
        return rules.Select(r => new RiskRuleDto(r.Id, r.Source, r.Level, r.Title, r.Condition, WarningsOf(r.Condition, known))).ToList();
    }

    public async Task<List<RiskRuleDto>> PutAsync(Actor actor, List<RiskRuleDto>? rules, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        if (rules is null) throw ApiProblem.Validation("Send the whole list of rules: [{source, level, title, condition}].");
        if (rules.Count > 200) throw ApiProblem.Validation("At most 200 risk rules.");
        var entities = new List<RiskRule>();
        var warnings = new List<List<string>>();
        var known = await RiskKnownValues.LoadAsync(db, ct);
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i] ?? throw ApiProblem.Validation($"Rule {i + 1} is empty.");
            var source = r.Source ?? RiskSources.RequestRole;
            if (!RiskSources.All.Contains(source)) throw RuleProblem(i, $"source must be one of {string.Join(", ", RiskSources.All)}.");
            if (r.Level is null || !RiskLevels.All.Contains(r.Level)) throw RuleProblem(i, "level must be low, moderate or high.");
            var title = (TextRules.Check($"rules[{i}].title", r.Title, multiLine: false) ?? "").Trim();
            if (title.Length is 0 or > 200) throw RuleProblem(i, "title is required (at most 200 characters).");
            var condition = r.Condition ?? "";
            try
            {
                var program = CelCompiler.CompileProgram(condition, RiskContext.Variables);
                CelCompiler.AsCondition(program);
                warnings.Add(RiskConditionAnalysis.Warnings(program, known));
            }
            catch (CelException e)
            {
                throw ApiProblem.Validation($"Rule {i + 1} ({title}): {e.Message}", new Dictionary<string, object?>
                {
                    ["ruleIndex"] = i,
                    ["position"] = e.Position,
                    ["condition"] = condition,
                });
            }
            entities.Add(new RiskRule { Source = source, Level = r.Level, Title = title, Condition = condition, Position = i });
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.RiskRules.RemoveRange(await db.RiskRules.ToListAsync(ct));
        db.RiskRules.AddRange(entities);
        audit.Add(db, actor, "settings.riskRules.update", "settings/risk-rules", AuditLog.Success,
            new { rules = entities.Select(e => new { e.Source, e.Level, e.Title, e.Condition }) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        ruleSet.Invalidate();
        return entities.Select((r, i) => new RiskRuleDto(r.Id, r.Source, r.Level, r.Title, r.Condition, warnings[i])).ToList();
    }

    private static List<string> WarningsOf(string condition, IReadOnlyDictionary<string, IReadOnlySet<string>> known)
    {
        try
        {
            return RiskConditionAnalysis.Warnings(CelCompiler.CompileProgram(condition, RiskContext.Variables), known);
        }
        catch (CelException e)
        {
            return [$"This condition no longer compiles, so the rule counts as matched for every request: {e.Message}"];
        }
    }

    private static ApiProblem RuleProblem(int index, string detail) =>
        ApiProblem.Validation($"Rule {index + 1}: {detail}", new Dictionary<string, object?> { ["ruleIndex"] = index });
}
