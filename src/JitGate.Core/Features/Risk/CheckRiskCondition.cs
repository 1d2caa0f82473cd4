using JitGate.Core.Common;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Policy.Cel;

namespace JitGate.Core.Features.Risk;

/// <summary>What saving a condition would say of it, before it is saved: the compile error, or the warnings.</summary>
/// <param name="Error">Why it does not compile (with the position), or null.</param>
/// <param name="Warnings">Literals that no known value can equal, such as <c>environment_id == "Prod"</c>.</param>
public sealed record RiskConditionCheck(string? Error, List<string> Warnings);

/// <summary>
/// Checks one risk condition as it is typed, with the compiler and the known values that saving uses, so
/// a rule that would never match is flagged beside it rather than after saving. Admins and DBAs only.
/// </summary>
public sealed class CheckRiskCondition(JitGateDb db)
{
    public async Task<RiskConditionCheck> HandleAsync(Actor actor, string? condition, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        CelProgram<RiskContext> program;
        try
        {
            program = CelCompiler.CompileProgram(condition ?? "", RiskContext.Variables);
        }
        catch (CelException e)
        {
            return new RiskConditionCheck(e.Message, []);
        }
        return new RiskConditionCheck(null, RiskConditionAnalysis.Warnings(program, await RiskKnownValues.LoadAsync(db, ct)));
    }
}
