namespace JitGate.Core.Policy.Cel;

/// <summary>A variable a condition may use: its CEL type and how to read it from the context (a long for int, a string, a string[] for list(string)).</summary>
public sealed record CelVariableDef<TContext>(CelType Type, Func<TContext, object> Get);

/// <summary>
/// A compiled expression: evaluating it is a few delegate calls with no parsing or lookups.
/// <see cref="Evaluate"/> throws <see cref="CelEvaluationException"/> for CEL's runtime errors.
/// </summary>
public sealed class CelProgram<TContext>
{
    private readonly CelEval _eval;
    private readonly int _locals;

    internal CelProgram(CelEval eval, int locals, CelType resultType, CelNode syntax)
    {
        _eval = eval;
        _locals = locals;
        ResultType = resultType;
        Syntax = syntax;
    }

    /// <summary>The static type of the result (dyn when it is only known at evaluation).</summary>
    public CelType ResultType { get; }

    internal CelNode Syntax { get; }

    /// <summary>The value: long, ulong, double, string, bool, <see cref="CelBytes"/>, <see cref="CelNull"/>, <see cref="CelMap"/>, a list, a <see cref="CelTypeValue"/>, a DateTimeOffset or TimeSpan.</summary>
    public object Evaluate(TContext context)
    {
        var activation = new CelActivation(context, _locals == 0 ? [] : new object[_locals]);
        try
        {
            return _eval(activation);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new CelEvaluationException("the expression is too deep to evaluate");
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidCastException or IndexOutOfRangeException or FormatException)
        {
            // A runtime failure the evaluator did not foresee is still a CEL error: the rule fails closed.
            throw new CelEvaluationException("the condition could not be evaluated", e);
        }
    }
}

/// <summary>
/// Compiles CEL (cel-spec langdef) against declared variables: parses, type-checks (unknown variables,
/// functions and mismatched operand types are refused here, with the position) and builds delegates.
/// </summary>
public static class CelCompiler
{
    /// <summary>The longest condition accepted, in UTF-16 code units.</summary>
    public const int MaxLength = 4000;

    /// <summary>
    /// A condition: an expression whose type is bool (or dyn, then checked at evaluation). The delegate
    /// throws <see cref="CelEvaluationException"/> for a runtime error, including a dyn result that is not a bool.
    /// </summary>
    /// <exception cref="CelException">The condition is empty, too long, does not parse or does not type-check.</exception>
    public static Func<TContext, bool> Compile<TContext>(string condition, IReadOnlyDictionary<string, CelVariableDef<TContext>> variables) =>
        AsCondition(CompileProgram(condition, variables));

    /// <summary>The delegate of a compiled condition (see <see cref="Compile{TContext}"/>).</summary>
    public static Func<TContext, bool> AsCondition<TContext>(CelProgram<TContext> program)
    {
        if (program.ResultType.Kind is not (CelKind.Bool or CelKind.Dyn))
        {
            var at = program.Syntax.Position;
            throw new CelException($"The condition at position {at + 1} must be true or false, but it is a {program.ResultType}.", at);
        }
        return ctx => program.Evaluate(ctx) is bool b ? b : throw new CelEvaluationException("the condition did not evaluate to a bool");
    }

    /// <summary>Any expression; with <paramref name="check"/> false, type errors are left to evaluation (cel-spec's disable_check).</summary>
    /// <exception cref="CelException">The expression is empty, too long, does not parse or does not type-check.</exception>
    public static CelProgram<TContext> CompileProgram<TContext>(string expression, IReadOnlyDictionary<string, CelVariableDef<TContext>> variables, bool check = true)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (string.IsNullOrWhiteSpace(expression)) throw new CelException("The condition is empty.", 0);
        if (expression.Length > MaxLength) throw new CelException($"The condition is longer than {MaxLength} characters.", MaxLength);
        var declared = variables.ToDictionary(v => v.Key, v =>
        {
            var get = v.Value.Get;
            return (v.Value.Type, (CelEval)(a => get((TContext)a.Context!)));
        });
        try
        {
            var node = CelParser.Parse(expression);
            var compilation = new CelCompilation(declared, check);
            var (type, eval) = compilation.Visit(node);
            return new CelProgram<TContext>(eval, compilation.Locals, type, node);
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or IndexOutOfRangeException or FormatException or InvalidOperationException)
        {
            // Input the parser did not foresee is refused like any other unreadable condition, never a server error.
            throw new CelException("The condition could not be read.", 0, e);
        }
    }
}

internal delegate object CelEval(CelActivation activation);

/// <summary>
/// What one evaluation sees: the caller's context, the slots of comprehension variables, and a budget of
/// comprehension steps, so that nested macros over lists cannot run for minutes.
/// </summary>
internal sealed class CelActivation(object? context, object[] locals)
{
    /// <summary>How many elements all comprehensions of one evaluation may visit together.</summary>
    public const int MaxSteps = 100_000;

    private int _steps;

    public object? Context { get; } = context;

    public object[] Locals { get; } = locals;

    public void Step()
    {
        if (++_steps > MaxSteps) throw new CelEvaluationException($"the condition visits more than {MaxSteps:N0} elements in its macros");
    }
}
