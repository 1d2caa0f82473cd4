using JitGate.Core.Features.Risk;
using JitGate.Core.Policy.Cel;

namespace JitGate.Tests.Risk;

public sealed class CelConditionTests
{
    private static readonly RiskContext Prod = new("prod", "sample", "hr_prod", "sqlite", ["employee", "salary", "title"], "sqlEditorUser", 1);
    private static readonly RiskContext Test = new("test", "sample", "hr_test", "sqlite", ["department"], "sqlEditorUser", 10);

    [Theory]
    [InlineData("environment_id == \"prod\"", true, false)]
    [InlineData("environment_id == 'prod'", true, false)]
    [InlineData("environment_id != \"prod\"", false, true)]
    [InlineData("environment_id == \"prod\" && expiration_days > 7", false, false)]
    [InlineData("environment_id == \"prod\" || expiration_days > 7", true, true)]
    [InlineData("\"salary\" in table_names", true, false)]
    [InlineData("!(\"salary\" in table_names)", false, true)]
    [InlineData("database_name.startsWith(\"hr_\")", true, true)]
    [InlineData("database_name.endsWith(\"_prod\") && role == \"sqlEditorUser\"", true, false)]
    [InlineData("table_names.size() >= 3", true, false)]
    [InlineData("environment_id in [\"prod\", \"staging\"]", true, false)]
    [InlineData("expiration_days * 24 > 100", false, true)]
    [InlineData("project_id == \"sample\" && db_engine == \"sqlite\"", true, true)]
    [InlineData("true", true, true)]
    public void Conditions_evaluate_as_cel_does(string condition, bool onProd, bool onTest)
    {
        var compiled = CelCompiler.Compile(condition, RiskContext.Variables);
        Assert.Equal(onProd, compiled(Prod));
        Assert.Equal(onTest, compiled(Test));
    }

    [Theory]
    [InlineData("environment_id ==", 17)]
    [InlineData("foo == 1", 0)]
    [InlineData("\"a\" + 1 > 2", 4)]
    [InlineData("environment_id == 1", 15)]
    [InlineData("expiration_days", 0)]
    [InlineData("database_name.explode()", 14)]
    [InlineData("(environment_id == \"prod\"", 25)]
    [InlineData("environment_id == \"prod", 18)]
    [InlineData("environment_id = \"prod\"", 15)]
    public void Bad_conditions_say_where(string condition, int position)
    {
        var e = Assert.Throws<CelException>(() => CelCompiler.Compile(condition, RiskContext.Variables));
        Assert.Equal(position, e.Position);
        Assert.Contains($"position {position + 1}", e.Message, StringComparison.Ordinal);
    }
}
