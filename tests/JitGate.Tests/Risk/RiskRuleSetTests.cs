using JitGate.Core.Features.Risk;

namespace JitGate.Tests.Risk;

/// <summary>Scoring: the highest matching level across databases, and rules that fail count as matched.</summary>
public sealed class RiskRuleSetTests
{
    private static readonly RiskContext Prod = new("prod", "sample", "hr_prod", "sqlite", ["employee", "salary"], "sqlEditorUser", 1);
    private static readonly RiskContext Test = new("test", "sample", "hr_test", "sqlite", [], "sqlEditorUser", 1);

    private static RiskRuleSet.CompiledRule Rule(string level, string condition) =>
        RiskRuleSet.Compile(1, RiskSources.RequestRole, level, $"{level}: {condition}", condition);

    [Fact]
    public void A_stored_condition_that_no_longer_compiles_counts_as_matched_instead_of_failing_the_request()
    {
        // Saved by an earlier version, which accepted any pattern.
        var assessment = RiskRuleSet.Assess([Rule("high", "database_name.matches(\"[\")"), Rule("low", "true")], RiskSources.RequestRole, [Test]);
        Assert.Equal("high", assessment.Level);
        var failed = Assert.Single(assessment.Reasons, r => r.Failed);
        Assert.Contains("does not compile", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_highest_level_over_all_databases_wins_and_each_match_is_a_reason()
    {
        var rules = new[] { Rule("moderate", "environment_id == \"test\""), Rule("high", "resource.table_name == \"salary\""), Rule("low", "true") };
        var assessment = RiskRuleSet.Assess(rules, RiskSources.RequestRole, [Test, Prod]);
        Assert.Equal("high", assessment.Level);
        Assert.Equal(["hr_test/moderate", "hr_test/low", "hr_prod/high", "hr_prod/low"], assessment.Reasons.Select(r => $"{r.Database}/{r.Level}"));
        Assert.DoesNotContain(assessment.Reasons, r => r.Failed);
        Assert.Equal("moderate", RiskRuleSet.Evaluate(rules, RiskSources.RequestRole, [Test]));
    }
}
