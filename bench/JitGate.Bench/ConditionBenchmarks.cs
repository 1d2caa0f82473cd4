using BenchmarkDotNet.Attributes;
using JitGate.Core.Features.Risk;
using JitGate.Core.Policy.Cel;

namespace JitGate.Bench;

/// <summary>Risk conditions are compiled once when saved and evaluated for every database of every request.</summary>
[MemoryDiagnoser]
public class ConditionBenchmarks
{
    private static readonly RiskContext Context = new("prod", "sample", "hr_prod", "sqlite", ["employee", "salary", "title"], "sqlEditorUser", 1);
    private Func<RiskContext, bool> _simple = null!;
    private Func<RiskContext, bool> _complex = null!;

    [GlobalSetup]
    public void Setup()
    {
        _simple = CelCompiler.Compile("environment_id == \"prod\"", RiskContext.Variables);
        _complex = CelCompiler.Compile(
            "environment_id == \"prod\" && (\"salary\" in table_names || database_name.startsWith(\"hr_\")) && expiration_days <= 7", RiskContext.Variables);
    }

    [Benchmark]
    public bool EvaluateSimple() => _simple(Context);

    [Benchmark]
    public bool EvaluateComplex() => _complex(Context);

    private readonly string _complexText =
        "environment_id == \"prod\" && (\"salary\" in table_names || database_name.startsWith(\"hr_\")) && expiration_days <= 7";

    [Benchmark]
    public Func<RiskContext, bool> CompileComplex() => CelCompiler.Compile(_complexText, RiskContext.Variables);
}
