using System.Text;
using JitGate.Core.Features.Risk;
using JitGate.Core.Policy.Cel;
using JitGate.Tests.Risk.CelSpec;

namespace JitGate.Tests.Risk;

/// <summary>
/// Whatever text a client sends as a condition, compiling it either succeeds or raises <see cref="CelException"/>,
/// and evaluating it either answers or raises <see cref="CelEvaluationException"/>: nothing the API would turn into a 500.
/// </summary>
public sealed class CelRobustnessTests
{
    private static readonly RiskContext Context = new("prod", "sample", "hr_prod", "sqlite", ["employee", "salary", "title"], "sqlEditorUser", 3,
        new DateTimeOffset(9999, 12, 31, 23, 0, 0, TimeSpan.Zero));

    private const string Alphabet = "()[]{}.,:?!-+*/%<>=&|\"'`\\ \n\tabcdeimnprstuxzAEPQUZ019_\u00ff\ud83d\ude00\ud800";

    private static string Mutate(Random random, string text)
    {
        var sb = new StringBuilder(text);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(sb.Length + 1);
            switch (random.Next(3))
            {
                case 0:
                    sb.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 1 when at < sb.Length:
                    sb.Remove(at, 1);
                    break;
                default:
                    if (at < sb.Length) sb[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
            }
        }
        return sb.ToString();
    }

    [Fact]
    public void Mutated_conditions_raise_only_cel_errors()
    {
        var seeds = CelConformanceTests.LoadAll().Select(c => c.Expr)
            .Concat([
                "resource.environment_id == \"prod\" && request.expiration_days > 30",
                "request.time.getHours(\"Europe/Paris\") > 20 || request.time + duration(\"2h\") > timestamp(\"2026-01-01T00:00:00Z\")",
                "table_names.exists(t, t.matches(\"^sal[[:alpha:]]+\\\\pL\\\\x{1F600}$\"))",
                "database_name.matches(\"(?i)(?P<x>a|b)\\\\Q.*\\\\E[^\\\\d]\")",
            ])
            .Where(e => e.Length > 0).ToList();
        var random = new Random(20261130);
        var unexpected = new List<string>();
        for (var i = 0; i < 30_000; i++)
        {
            var text = Mutate(random, seeds[random.Next(seeds.Count)]);
            try
            {
                var condition = CelCompiler.CompileProgram(text, RiskContext.Variables);
                try
                {
                    condition.Evaluate(Context);
                }
                catch (CelEvaluationException)
                {
                }
            }
            catch (CelException)
            {
            }
#pragma warning disable CA1031 // the point is to find any other exception
            catch (Exception e)
#pragma warning restore CA1031
            {
                unexpected.Add($"{e.GetType().Name} for {text}");
            }
        }
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(20)));
    }

    [Fact]
    public void Nested_macros_stop_at_the_step_budget()
    {
        var condition = CelCompiler.Compile(
            "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, [0,1,2,3,4,5,6,7,8,9].all(c, [0,1,2,3,4,5,6,7,8,9].all(d, " +
            "[0,1,2,3,4,5,6,7,8,9].all(e, [0,1,2,3,4,5,6,7,8,9].all(f, a + b + c + d + e + f >= 0))))))", RiskContext.Variables);
        var e = Assert.Throws<CelEvaluationException>(() => condition(Context));
        Assert.Contains("more than 100,000 elements", e.Message, StringComparison.Ordinal);
    }
}
