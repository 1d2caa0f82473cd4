using JitGate.Core.Policy.Cel;

namespace JitGate.Core.Features.Risk;

/// <summary>
/// Reads a compiled condition for what the rules page needs beyond its validity: which variables it
/// names, and comparisons with a literal that no known value can equal, such as
/// <c>environment_id == "Prod"</c> when the environment's id is <c>prod</c>: the rule would save and
/// never match. The walk's depth is bounded by the parser's height limit.
/// </summary>
internal static class RiskConditionAnalysis
{
    /// <summary>The declared variable names a condition uses (qualified names such as <c>resource.table_name</c> as one).</summary>
    public static HashSet<string> Names(CelProgram<RiskContext> program)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Walk(program.Syntax, node =>
        {
            if (VariableName(node) is { } name) names.Add(name);
        });
        return names;
    }

    /// <summary>One sentence per literal that can never match, naming the variable, the literal and the nearest known value.</summary>
    public static List<string> Warnings(CelProgram<RiskContext> program, IReadOnlyDictionary<string, IReadOnlySet<string>> known)
    {
        var warnings = new List<string>();
        Walk(program.Syntax, node =>
        {
            if (node is not CelCall { Target: null, Args.Count: 2 } call) return;
            switch (call.Function)
            {
                case CelOps.Equal or CelOps.NotEquals:
                    Check(call.Args[0], call.Args[1]);
                    Check(call.Args[1], call.Args[0]);
                    break;
                case CelOps.In when call.Args[1] is CelListLiteral list:
                    foreach (var item in list.Items) Check(call.Args[0], item);
                    break;
                case CelOps.In:
                    Check(call.Args[1], call.Args[0]);
                    break;
                default:
                    break;
            }
        });
        return warnings.Distinct().ToList();

        void Check(CelNode variable, CelNode literal)
        {
            if (VariableName(variable) is not { } name || literal is not CelLiteral { Value: string value }) return;
            if (!known.TryGetValue(name, out var values) || values.Contains(value)) return;
            var near = values.FirstOrDefault(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase))
                ?? values.FirstOrDefault(v => v.EndsWith("/" + value, StringComparison.OrdinalIgnoreCase) || value.EndsWith("/" + v, StringComparison.OrdinalIgnoreCase));
            var hint = near is not null
                ? $" Did you mean \"{near}\"?"
                : values.Count is > 0 and <= 12 ? $" Known values: {string.Join(", ", values.Order(StringComparer.Ordinal).Select(v => $"\"{v}\""))}." : "";
            warnings.Add($"{name} is never \"{value}\" (position {literal.Position + 1}), so this comparison can never match.{hint}");
        }
    }

    private static string? VariableName(CelNode node) => node switch
    {
        CelIdent i when RiskContext.Variables.ContainsKey(i.Name) => i.Name,
        CelSelect s when Qualified(s) is { } q && RiskContext.Variables.ContainsKey(q) => q,
        _ => null,
    };

    private static string? Qualified(CelNode node) => node switch
    {
        CelIdent i => i.Name,
        CelSelect s when Qualified(s.Operand) is { } prefix => prefix + "." + s.Field,
        _ => null,
    };

    private static void Walk(CelNode node, Action<CelNode> visit)
    {
        visit(node);
        switch (node)
        {
            case CelSelect s:
                Walk(s.Operand, visit);
                break;
            case CelCall c:
                if (c.Target is not null) Walk(c.Target, visit);
                foreach (var a in c.Args) Walk(a, visit);
                break;
            case CelListLiteral l:
                foreach (var i in l.Items) Walk(i, visit);
                break;
            case CelMapLiteral m:
                foreach (var (k, v) in m.Entries)
                {
                    Walk(k, visit);
                    Walk(v, visit);
                }
                break;
            default:
                break;
        }
    }
}
