using BenchmarkDotNet.Attributes;
using JitGate.Core.Features.Risk;
using JitGate.Core.Policy.Cel;

namespace JitGate.Bench;

/// <summary>
/// Risk conditions are compiled once when saved and evaluated for every database of every request.
/// The reference is the same complex condition written as a C# lambda, measured in the same run.
/// </summary>
[MemoryDiagnoser]
public class ConditionBenchmarks
{
    private const string ComplexText =
        "environment_id == \"prod\" && (\"salary\" in table_names || database_name.startsWith(\"hr_\")) && expiration_days <= 7";

    private const string BytebaseText =
        "resource.environment_id == \"prod\" && request.expiration_days > 30 || request.role == \"roles/sqlEditorUser\" && resource.db_engine == \"SQLITE\"";

    private const string MacroText = "table_names.exists(t, t.matches(\"^sal(ary|aries)$\")) && size(database_name) < 64";

    private static readonly RiskContext Context = new("prod", "sample", "hr_prod", "sqlite", ["employee", "salary", "title"], "sqlEditorUser", 1);
    private readonly Func<RiskContext, bool> _reference =
        c => c.EnvironmentId == "prod" && (Array.IndexOf(c.TableNames, "salary") >= 0 || c.DatabaseName.StartsWith("hr_", StringComparison.Ordinal)) && c.ExpirationDays <= 7;

    private readonly string _complexText = ComplexText;
    private Func<RiskContext, bool> _simple = null!;
    private Func<RiskContext, bool> _complex = null!;
    private Func<RiskContext, bool> _bytebase = null!;
    private Func<RiskContext, bool> _macro = null!;
    private IReadOnlyList<RiskRuleSet.CompiledRule> _perTable = null!;

    [GlobalSetup]
    public void Setup()
    {
        _simple = CelCompiler.Compile("environment_id == \"prod\"", RiskContext.Variables);
        _complex = CelCompiler.Compile(ComplexText, RiskContext.Variables);
        _bytebase = CelCompiler.Compile(BytebaseText, RiskContext.Variables);
        _macro = CelCompiler.Compile(MacroText, RiskContext.Variables);
        _perTable = [RiskRuleSet.Compile(1, RiskSources.RequestRole, RiskLevels.High, "salary", "resource.table_name == \"title\"")];
    }

    [Benchmark(Baseline = true)]
    public bool ReferenceLambda() => _reference(Context);

    [Benchmark]
    public bool EvaluateSimple() => _simple(Context);

    [Benchmark]
    public bool EvaluateComplex() => _complex(Context);

    [Benchmark]
    public bool EvaluateBytebaseNames() => _bytebase(Context);

    [Benchmark]
    public bool EvaluateMacroAndRegex() => _macro(Context);

    [Benchmark]
    public string AssessPerTableRule() => RiskRuleSet.Assess(_perTable, RiskSources.RequestRole, [Context]).Level;

    [Benchmark]
    public Func<RiskContext, bool> CompileComplex() => CelCompiler.Compile(_complexText, RiskContext.Variables);
}
