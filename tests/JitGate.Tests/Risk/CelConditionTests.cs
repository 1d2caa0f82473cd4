using JitGate.Core.Features.Risk;
using JitGate.Core.Policy.Cel;

namespace JitGate.Tests.Risk;

public sealed class CelConditionTests
{
    private static readonly RiskContext Prod = new("prod", "sample", "hr_prod", "sqlite", ["employee", "salary", "title"], "sqlEditorUser", 1,
        new DateTimeOffset(2026, 11, 30, 22, 30, 0, TimeSpan.Zero));
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

    // The answers the issue found wrong, and what CEL (cel-spec langdef) gives instead.
    [Theory]
    [InlineData(""" "😀".size() == 1 """, true)]
    [InlineData(""" size("😀") == 1 && "😀" > "\uFFFF" """, true)]
    [InlineData(""" "abc".matches("^[[:alpha:]]+$") """, true)]
    [InlineData(""" "abc1".matches("^[[:alpha:]]+$") """, false)]
    [InlineData(""" "aaaaaaaaaaaaaaaaaaaaaaaa!".matches("^(a+)+$") """, false)]
    [InlineData(""" "Prod".matches("(?i)^prod$") """, true)]
    [InlineData(""" "٣".matches("\\d") """, false)]
    [InlineData(""" "a\n".matches("a$") """, false)]
    [InlineData(""" "😀".matches("^.$") && !"😀".matches("^..$") """, true)]
    [InlineData(""" "-9223372036854775808 < 0" == "x" || -9223372036854775808 < 0 """, true)]
    [InlineData(""" 9223372036854775807 > 0 && 18446744073709551615u > 0u """, true)]
    [InlineData(""" 1.5 > 1 && dyn(2u) == 2 && dyn(2) == 2.0 """, true)]
    [InlineData(""" true ? false : true """, false)]
    [InlineData(""" [1, 2] + [3] == [1, 2, 3] && [1, 2, 3][2] == 3 """, true)]
    [InlineData(""" int("12") + int(2.9) == 14 && string(12) == "12" && double(1) == 1.0 && uint(3) == 3u """, true)]
    [InlineData(""" r'\d' == "\\d" && '''a'b''' == "a'b" && b"\x00" != b"" // a comment """, true)]
    [InlineData(""" [1, 2, 3].map(x, x * 2).filter(x, x > 2) == [4, 6] && [1, 2].exists_one(x, x == 2) && [1, 2].all(x, x > 0) """, true)]
    [InlineData(""" 1 / 0 == 0 || true """, true)]
    [InlineData(""" false && 1 / 0 == 0 """, false)]
    [InlineData(""" request.time > timestamp("2026-01-01T00:00:00Z") && request.time.getHours() == 22 """, true)]
    public void Expressions_evaluate_as_cel_spec_defines(string expression, bool expected) =>
        Assert.Equal(expected, CelCompiler.Compile(expression, RiskContext.Variables)(Prod));

    [Theory]
    [InlineData(""" 1 / 0 == 0 """, "division by zero")]
    [InlineData(""" 9223372036854775807 + expiration_days > 0 """, "overflow")]
    [InlineData(""" -(-9223372036854775807 - expiration_days - 1) > 0 """, "overflow")]
    [InlineData(""" table_names[3] == "x" """, "index out of range")]
    [InlineData(""" 1 / 0 == 0 && true """, "division by zero")]
    [InlineData(""" database_name.matches(database_name + "[") """, "invalid regular expression")]
    public void Runtime_errors_are_errors_not_answers(string expression, string message)
    {
        var condition = CelCompiler.Compile(expression, RiskContext.Variables);
        var e = Assert.Throws<CelEvaluationException>(() => condition(Prod));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(""" database_name.matches("[") """, 23)]
    [InlineData(""" database_name.matches("(a)\\1") """, 23)]
    [InlineData(""" database_name.matches("(?=a)") """, 23)]
    [InlineData(""" database_name.matches("a**") """, 23)]
    [InlineData(""" database_name.matches("(a{1000}){2}") """, 23)]
    [InlineData(""" resource.environment == "prod" """, 1)]
    [InlineData(""" statement.sql_type == "ALTER_TABLE" """, 1)]
    [InlineData(""" 9223372036854775808 > 0 """, 1)]
    [InlineData(""" size(1) > 0 """, 1)]
    [InlineData(""" [1, 2].all(x, x) """, 15)]
    public void Invalid_conditions_are_refused_when_compiled(string condition, int position)
    {
        var e = Assert.Throws<CelException>(() => CelCompiler.Compile(condition, RiskContext.Variables));
        Assert.Equal(position, e.Position);
    }

    [Fact]
    public void Deep_nesting_is_refused_with_a_position_instead_of_exhausting_the_stack()
    {
        foreach (var deep in new[]
        {
            new string('(', 1250) + "true" + new string(')', 1250),
            new string('[', 1000) + new string(']', 1000) + " == []",
            string.Concat(Enumerable.Repeat("[1].all(x, ", 200)) + "true" + new string(')', 200),
            string.Concat(Enumerable.Repeat("1 + ", 900)) + "1 > 0",
        })
        {
            var e = Assert.Throws<CelException>(() => CelCompiler.Compile(deep, RiskContext.Variables));
            Assert.Contains("nests too deeply", e.Message, StringComparison.Ordinal);
            Assert.InRange(e.Position, 0, deep.Length);
        }
    }

    [Fact]
    public void Long_flat_chains_compile_and_evaluate()
    {
        var and = string.Join(" && ", Enumerable.Repeat("expiration_days > 0", 150));
        var not = new string('!', 3000) + "true";
        var negate = new string('-', 3000) + "1 == 1";
        Assert.True(CelCompiler.Compile(and, RiskContext.Variables)(Prod));
        Assert.True(CelCompiler.Compile(not, RiskContext.Variables)(Prod));
        Assert.True(CelCompiler.Compile(negate, RiskContext.Variables)(Prod));
    }
}
