using JitGate.Core.Persistence;
using JitGate.Core.Policy.Cel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Features.Risk;

/// <summary>
/// Why a request got its level: a rule that matched one database of its scope, or one that failed to
/// evaluate there (<see cref="Failed"/>, with the CEL error) and so counts as matched: risk rules fail closed.
/// </summary>
public sealed record RiskReason(string Rule, string Level, string Database, bool Failed, string? Error);

/// <summary>The level a request gets (low, moderate or high) and the rules that gave it.</summary>
public sealed record RiskAssessment(string Level, List<RiskReason> Reasons);

/// <summary>The saved risk rules, compiled once and kept until they change.</summary>
public sealed class RiskRuleSet(IServiceScopeFactory scopes)
{
    /// <summary>
    /// A compiled rule. <see cref="Matches"/> throws <see cref="CelEvaluationException"/> when the condition fails
    /// at evaluation; <see cref="PerTable"/> rules name <c>resource.table_name</c> and are tried once per table.
    /// </summary>
    public sealed record CompiledRule(long Id, string Source, string Level, string Title, Func<RiskContext, bool> Matches, bool PerTable = false);

    private volatile IReadOnlyList<CompiledRule>? _rules;

    public void Invalidate() => _rules = null;

    public async Task<IReadOnlyList<CompiledRule>> GetAsync(CancellationToken ct)
    {
        if (_rules is { } rules) return rules;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        var saved = await db.RiskRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(ct);
        var compiled = saved.Select(r => Compile(r.Id, r.Source, r.Level, r.Title, r.Condition)).ToList();
        _rules = compiled;
        return compiled;
    }

    /// <summary>
    /// Compiles a saved rule. A condition saved by an older version that no longer compiles is kept as a
    /// rule that always fails, so it counts as matched instead of breaking every request.
    /// </summary>
    public static CompiledRule Compile(long id, string source, string level, string title, string condition)
    {
        try
        {
            var program = CelCompiler.CompileProgram(condition, RiskContext.Variables);
            var perTable = RiskConditionAnalysis.Names(program).Overlaps(RiskContext.PerTableVariables);
            return new CompiledRule(id, source, level, title, CelCompiler.AsCondition(program), perTable);
        }
        catch (CelException e)
        {
            var message = $"the condition does not compile: {e.Message}";
            return new CompiledRule(id, source, level, title, _ => throw new CelEvaluationException(message));
        }
    }

    /// <summary>The highest level whose rule matches any of the contexts (one per database in scope); low when none does.</summary>
    public static string Evaluate(IReadOnlyList<CompiledRule> rules, string source, IEnumerable<RiskContext> contexts) =>
        Assess(rules, source, contexts).Level;

    /// <summary>
    /// Scores the contexts: each rule is tried on each database (and table, for per-table rules); a rule
    /// that raises a CEL error counts as matched for its level and is reported as failed.
    /// </summary>
    public static RiskAssessment Assess(IReadOnlyList<CompiledRule> rules, string source, IEnumerable<RiskContext> contexts)
    {
        var level = RiskLevels.Low;
        var reasons = new List<RiskReason>();
        foreach (var context in contexts)
        {
            foreach (var rule in rules)
            {
                if (rule.Source != source) continue;
                var (matched, error) = Try(rule, context);
                if (!matched) continue;
                reasons.Add(new RiskReason(rule.Title, rule.Level, context.DatabaseName, error is not null, error));
                if (RiskLevels.Rank(rule.Level) > RiskLevels.Rank(level)) level = rule.Level;
            }
        }
        return new RiskAssessment(level, reasons);
    }

    private static (bool Matched, string? Error) Try(CompiledRule rule, RiskContext context)
    {
        try
        {
            if (!rule.PerTable) return (rule.Matches(context), null);
            foreach (var table in context.TableNames.Length == 0 ? [""] : context.TableNames)
            {
                if (rule.Matches(context with { TableName = table })) return (true, null);
            }
            return (false, null);
        }
        catch (CelEvaluationException e)
        {
            return (true, e.Message);
        }
    }
}
