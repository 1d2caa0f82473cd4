namespace JitGate.Tests.Risk.CelSpec;

/// <summary>A declared variable of a test: its cel-spec type (a cel.expr.Type message, null when undeclared) and its value.</summary>
internal sealed record SpecVariable(PbMessage? Type, SpecValue? Value);

/// <summary>One `test { ... }` of a cel-spec simple test file.</summary>
internal sealed record SpecCase(
    string File, string Section, string Name, string Expr, bool DisableCheck,
    IReadOnlyDictionary<string, SpecVariable> Variables, SpecValue? Value, bool ExpectsError, string? SkipReason)
{
    public string Id => $"{File}/{Section}/{Name}";

    public static IEnumerable<SpecCase> Load(string file, string text)
    {
        var root = TextProto.Parse(text);
        foreach (var section in root.All("section").Cast<PbMessage>())
        {
            foreach (var test in section.All("test").Cast<PbMessage>())
            {
                yield return FromTest(file, section.Text("name") ?? "", test);
            }
        }
    }

    private static SpecCase FromTest(string file, string section, PbMessage test)
    {
        var expr = test.Text("expr") ?? "";
        var variables = new Dictionary<string, SpecVariable>();
        string? skip = NeedsProtobuf(test, expr) ? "needs protocol buffer message types" : null;
        foreach (var decl in test.All("type_env").Cast<PbMessage>())
        {
            var name = decl.Text("name")!;
            var type = decl.Message("ident")?.Message("type");
            if (type is null) skip ??= "declares a function";
            variables[name] = new SpecVariable(type, null);
        }
        foreach (var binding in test.All("bindings").Cast<PbMessage>())
        {
            var name = binding.Text("key")!;
            var value = binding.Message("value")?.Message("value");
            if (value is null)
            {
                skip ??= "binds an unknown or error value";
                continue;
            }
            var declared = variables.GetValueOrDefault(name)?.Type;
            variables[name] = new SpecVariable(declared, skip is null ? SpecValue.From(value) : null);
        }

        SpecValue? expected = null;
        var expectsError = false;
        if (test.Message("value") is { } v)
        {
            if (skip is null) expected = SpecValue.From(v);
        }
        else if (test.One("eval_error") is not null || test.One("any_eval_errors") is not null)
        {
            expectsError = true;
        }
        else if (test.One("unknown") is not null || test.One("any_unknowns") is not null)
        {
            skip ??= "expects unknown values (partial evaluation)";
        }
        else if (test.One("typed_result") is not null)
        {
            skip ??= "expects a checked type (typed_result)";
        }
        else
        {
            expected = new SpecBool(true);
        }
        return new SpecCase(file, section, test.Text("name") ?? "", expr, test.Flag("disable_check"), variables, expected, expectsError, skip);
    }

    private static bool NeedsProtobuf(PbMessage test, string expr) =>
        test.Text("container") is not null
        || expr.Contains("TestAllTypes", StringComparison.Ordinal)
        || expr.Contains("google.protobuf", StringComparison.Ordinal)
        || Mentions(test, "object_value") || Mentions(test, "message_type") || Mentions(test, "enum_value");

    private static bool Mentions(PbMessage m, string field) =>
        m.Fields.Any(f => f.Key == field || (f.Value is PbMessage inner && Mentions(inner, field)));
}

/// <summary>What an evaluator made of a case.</summary>
internal abstract record SpecOutcome;

internal sealed record SpecProduced(SpecValue Value) : SpecOutcome;

internal sealed record SpecEvalError(string Message) : SpecOutcome;

/// <summary>Refused before evaluation: a parse or type-check error.</summary>
internal sealed record SpecRefused(string Message) : SpecOutcome;

/// <summary>A CEL evaluator under test.</summary>
internal interface ISpecEvaluator
{
    SpecOutcome Run(SpecCase c);
}

/// <summary>Runs cases and says, for each, whether the evaluator agreed with cel-spec.</summary>
internal static class SpecRunner
{
    public static (bool Passed, string Detail) Judge(SpecCase c, ISpecEvaluator evaluator)
    {
        SpecOutcome outcome;
        try
        {
            outcome = evaluator.Run(c);
        }
#pragma warning disable CA1031 // an evaluator that crashes fails the case, it does not stop the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            outcome = new SpecRefused($"crashed: {e.GetType().Name}: {e.Message}");
        }
        return (c, outcome) switch
        {
            ({ ExpectsError: true }, SpecEvalError) => (true, ""),
            ({ Value: { } want }, SpecProduced got) when SpecValue.Same(want, got.Value) => (true, ""),
            ({ ExpectsError: true }, _) => (false, $"wanted an evaluation error, got {Describe(outcome)}"),
            _ => (false, $"wanted {c.Value}, got {Describe(outcome)}"),
        };
    }

    private static string Describe(SpecOutcome o) => o switch
    {
        SpecProduced p => p.Value.ToString(),
        SpecEvalError e => $"evaluation error ({e.Message})",
        SpecRefused r => $"refused ({r.Message})",
        _ => o.ToString(),
    };
}
