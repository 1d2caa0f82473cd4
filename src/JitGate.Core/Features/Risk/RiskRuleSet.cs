using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy.Cel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Features.Risk;

/// <summary>The saved risk rules, compiled once and kept until they change.</summary>
public sealed class RiskRuleSet(IServiceScopeFactory scopes)
{
    public sealed record CompiledRule(long Id, string Source, string Level, string Title, Func<RiskContext, bool> Matches);

    private volatile IReadOnlyList<CompiledRule>? _rules;

    public void Invalidate() => _rules = null;

    public async Task<IReadOnlyList<CompiledRule>> GetAsync(CancellationToken ct)
    {
        if (_rules is { } rules) return rules;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        var saved = await db.RiskRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(ct);
        var compiled = saved.Select(Compile).ToList();
        _rules = compiled;
        return compiled;
    }

    public static CompiledRule Compile(RiskRule r) =>
        new(r.Id, r.Source, r.Level, r.Title, CelCompiler.Compile(r.Condition, RiskContext.Variables));

    /// <summary>The highest level whose rule matches any of the contexts (one per database in scope); low when none does.</summary>
    public static string Evaluate(IReadOnlyList<CompiledRule> rules, string source, IEnumerable<RiskContext> contexts)
    {
        var level = RiskLevels.Low;
        foreach (var context in contexts)
        {
            foreach (var rule in rules)
            {
                if (rule.Source == source && RiskLevels.Rank(rule.Level) > RiskLevels.Rank(level) && rule.Matches(context)) level = rule.Level;
            }
        }
        return level;
    }
}
