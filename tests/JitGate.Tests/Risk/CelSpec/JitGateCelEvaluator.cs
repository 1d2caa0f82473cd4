using JitGate.Core.Policy.Cel;

namespace JitGate.Tests.Risk.CelSpec;

/// <summary>Runs cel-spec cases on JitGate's CEL: declared variables from type_env (dyn when only bound), checked unless disable_check.</summary>
internal sealed class JitGateCelEvaluator : ISpecEvaluator
{
    public SpecOutcome Run(SpecCase c)
    {
        var variables = c.Variables.ToDictionary(
            v => v.Key,
            v =>
            {
                var value = v.Value.Value is { } bound ? ToRuntime(bound) : null;
                return new CelVariableDef<object?>(v.Value.Type is { } t ? ToType(t) : CelType.Dyn,
                    _ => value ?? throw new CelEvaluationException($"no value bound to {v.Key}"));
            });
        CelProgram<object?> program;
        try
        {
            program = CelCompiler.CompileProgram(c.Expr, variables, check: !c.DisableCheck);
        }
        catch (CelException e)
        {
            return new SpecRefused(e.Message);
        }
        try
        {
            return new SpecProduced(FromRuntime(program.Evaluate(null)));
        }
        catch (CelEvaluationException e)
        {
            return new SpecEvalError(e.Message);
        }
    }

    private static CelType ToType(PbMessage t)
    {
        if (t.Text("primitive") is { } p)
        {
            return p switch
            {
                "INT64" => CelType.Int,
                "UINT64" => CelType.Uint,
                "DOUBLE" => CelType.Double,
                "STRING" => CelType.String,
                "BYTES" => CelType.Bytes,
                "BOOL" => CelType.Bool,
                _ => CelType.Dyn,
            };
        }
        if (t.Message("list_type") is { } list) return CelType.ListOf(ToType(list.Message("elem_type")!));
        if (t.Message("map_type") is { } map) return CelType.MapOf(ToType(map.Message("key_type")!), ToType(map.Message("value_type")!));
        if (t.One("null") is not null) return CelType.Null;
        return t.Text("well_known") switch
        {
            "TIMESTAMP" => CelType.Timestamp,
            "DURATION" => CelType.Duration,
            _ => CelType.Dyn,
        };
    }

    private static object ToRuntime(SpecValue v) => v switch
    {
        SpecInt i => i.Value,
        SpecUint u => u.Value,
        SpecDouble d => d.Value,
        SpecString s => s.Value,
        SpecBytes b => new CelBytes(b.Value),
        SpecBool b => b.Value,
        SpecNull => CelNull.Value,
        SpecType t => new CelTypeValue(t.Name),
        SpecList l => l.Items.Select(ToRuntime).ToArray(),
        SpecMap m => m.Entries.Aggregate(new CelMap(), (map, e) =>
        {
            map.TryAdd(ToRuntime(e.Key), ToRuntime(e.Value));
            return map;
        }),
        _ => throw new NotSupportedException(v.ToString()),
    };

    private static SpecValue FromRuntime(object v) => v switch
    {
        long i => new SpecInt(i),
        ulong u => new SpecUint(u),
        double d => new SpecDouble(d),
        string s => new SpecString(s),
        CelBytes b => new SpecBytes(b.Bytes.ToArray()),
        bool b => new SpecBool(b),
        CelNull => new SpecNull(),
        CelTypeValue t => new SpecType(t.Name),
        CelMap m => new SpecMap([.. m.Keys.Select(k => (FromRuntime(k), FromRuntime(m.TryGet(k, out var x) ? x : CelNull.Value)))]),
        IReadOnlyList<object> l => new SpecList([.. l.Select(FromRuntime)]),
        _ => throw new NotSupportedException($"result of type {v.GetType().Name}"),
    };
}
