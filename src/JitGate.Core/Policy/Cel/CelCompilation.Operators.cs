namespace JitGate.Core.Policy.Cel;

internal sealed partial class CelCompilation
{
    private static readonly CelKind[] Numbers = [CelKind.Int, CelKind.Uint, CelKind.Double];

    private (CelType, CelEval) Call(CelCall c)
    {
        if (c.Target is null && c.Function == "has") return Has(c);
        if (c.Target is not null && IsMacro(c)) return Macro(c);
        return c.Function switch
        {
            CelOps.And or CelOps.Or => Logical(c),
            CelOps.Conditional => Conditional(c),
            CelOps.Not => Not(c),
            CelOps.Negate => Negate(c),
            CelOps.Equal or CelOps.NotEquals => Equality(c),
            CelOps.Less or CelOps.LessEquals or CelOps.Greater or CelOps.GreaterEquals => Ordering(c),
            CelOps.Add or CelOps.Subtract or CelOps.Multiply or CelOps.Divide or CelOps.Modulo => Arithmetic(c),
            CelOps.In => In(c),
            CelOps.Index => Index(c),
            _ => Function(c),
        };
    }

    private (CelType, CelEval) Operand(CelCall c, int k, params CelKind[] allowed)
    {
        var (type, eval) = Visit(c.Args[k]);
        Require(type.IsDyn || allowed.Contains(type.Kind), c.Position,
            $"Type error: '{CelOps.Display(c.Function)}' cannot be applied to a {type}");
        return (type, eval);
    }

    // cel-spec "Logical operators": an error or a non-bool on one side is absorbed when the other side decides the result.
    private (CelType, CelEval) Logical(CelCall c)
    {
        var (_, left) = Operand(c, 0, CelKind.Bool);
        var (_, right) = Operand(c, 1, CelKind.Bool);
        var decisive = c.Function == CelOps.Or;
        var function = c.Function;
        return (CelType.Bool, a =>
        {
            object? l = null, r = null;
            CelEvaluationException? le = null, re = null;
            try
            {
                l = left(a);
            }
            catch (CelEvaluationException e)
            {
                le = e;
            }
            if (l is bool lb && lb == decisive) return CelOperators.Box(decisive);
            try
            {
                r = right(a);
            }
            catch (CelEvaluationException e)
            {
                re = e;
            }
            if (r is bool rb && rb == decisive) return CelOperators.Box(decisive);
            if (le is not null) throw le;
            if (re is not null) throw re;
            if (l is not bool || r is not bool) throw CelOperators.NoOverload(function, l!, r!);
            return CelOperators.Box(!decisive);
        });
    }

    private (CelType, CelEval) Conditional(CelCall c)
    {
        var (_, condition) = Operand(c, 0, CelKind.Bool);
        var (thenType, then) = Visit(c.Args[1]);
        var (elseType, otherwise) = Visit(c.Args[2]);
        return (CelType.Join(thenType, elseType), a => condition(a) switch
        {
            true => then(a),
            false => otherwise(a),
            var other => throw CelOperators.NoOverload(CelOps.Conditional, other),
        });
    }

    private (CelType, CelEval) Not(CelCall c)
    {
        var (_, operand) = Operand(c, 0, CelKind.Bool);
        return (CelType.Bool, a => operand(a) switch
        {
            bool b => CelOperators.Box(!b),
            var other => throw CelOperators.NoOverload(CelOps.Not, other),
        });
    }

    private (CelType, CelEval) Negate(CelCall c)
    {
        var (type, operand) = Operand(c, 0, CelKind.Int, CelKind.Double, CelKind.Duration);
        return (type, a => CelOperators.Negate(operand(a)));
    }

    private (CelType, CelEval) Equality(CelCall c)
    {
        var (lt, left) = Visit(c.Args[0]);
        var (rt, right) = Visit(c.Args[1]);
        Require(CelType.Fits(lt, rt) || lt.Kind == CelKind.Null || rt.Kind == CelKind.Null, c.Position,
            $"Type error: '{CelOps.Display(c.Function)}' cannot compare a {lt} with a {rt}");
        if (c.Function == CelOps.Equal) return (CelType.Bool, a => CelOperators.Box(CelOperators.Equal(left(a), right(a))));
        return (CelType.Bool, a => CelOperators.Box(!CelOperators.Equal(left(a), right(a))));
    }

    private (CelType, CelEval) Ordering(CelCall c)
    {
        var (lt, left) = Visit(c.Args[0]);
        var (rt, right) = Visit(c.Args[1]);
        var ok = lt.IsDyn || rt.IsDyn || (lt.IsNumber && rt.IsNumber)
            || (lt.Kind == rt.Kind && lt.Kind is CelKind.String or CelKind.Bytes or CelKind.Bool or CelKind.Timestamp or CelKind.Duration);
        Require(ok, c.Position, $"Type error: '{CelOps.Display(c.Function)}' cannot be applied to a {lt} and a {rt}");
        var function = c.Function;
        return (CelType.Bool, a => CelOperators.Box(CelOperators.Order(function, left(a), right(a))));
    }

    private (CelType, CelEval) Arithmetic(CelCall c)
    {
        var (lt, left) = Visit(c.Args[0]);
        var (rt, right) = Visit(c.Args[1]);
        var function = c.Function;
        var result = ArithmeticType(function, lt, rt);
        Require(result is not null, c.Position, $"Type error: '{CelOps.Display(function)}' cannot be applied to a {lt} and a {rt}");
        CelEval eval = function == CelOps.Add
            ? a => CelOperators.Add(left(a), right(a))
            : a => CelOperators.Arithmetic(function, left(a), right(a));
        return (result ?? CelType.Dyn, eval);
    }

    // The overloads of cel-spec's standard definitions for + - * / %; null when none fits.
    private static CelType? ArithmeticType(string function, CelType l, CelType r)
    {
        if (l.IsDyn && r.IsDyn) return CelType.Dyn;
        var candidates = new List<(CelKind L, CelKind R, CelType Result)>();
        foreach (var n in Numbers)
        {
            var t = new CelType(n);
            if (function != CelOps.Modulo || n != CelKind.Double) candidates.Add((n, n, t));
        }
        if (function == CelOps.Add)
        {
            candidates.Add((CelKind.String, CelKind.String, CelType.String));
            candidates.Add((CelKind.Bytes, CelKind.Bytes, CelType.Bytes));
            candidates.Add((CelKind.List, CelKind.List, l.Kind == CelKind.List && r.Kind == CelKind.List ? CelType.Join(l, r) : CelType.ListOf(CelType.Dyn)));
            candidates.Add((CelKind.Timestamp, CelKind.Duration, CelType.Timestamp));
            candidates.Add((CelKind.Duration, CelKind.Timestamp, CelType.Timestamp));
            candidates.Add((CelKind.Duration, CelKind.Duration, CelType.Duration));
        }
        if (function == CelOps.Subtract)
        {
            candidates.Add((CelKind.Timestamp, CelKind.Timestamp, CelType.Duration));
            candidates.Add((CelKind.Timestamp, CelKind.Duration, CelType.Timestamp));
            candidates.Add((CelKind.Duration, CelKind.Duration, CelType.Duration));
        }
        var fitting = candidates.Where(k => (l.IsDyn || l.Kind == k.L) && (r.IsDyn || r.Kind == k.R)).ToList();
        if (fitting.Count == 0) return null;
        return fitting.Select(f => f.Result).Distinct().Count() == 1 ? fitting[0].Result : CelType.Dyn;
    }

    private (CelType, CelEval) In(CelCall c)
    {
        var (item, element) = Visit(c.Args[0]);
        var (container, collection) = Visit(c.Args[1]);
        var ok = container.Kind switch
        {
            CelKind.Dyn => true,
            CelKind.List or CelKind.Map => CelType.Fits(item, container.Elem!),
            _ => false,
        };
        Require(ok, c.Position, $"Type error: 'in' cannot look for a {item} in a {container}");
        return (CelType.Bool, a => CelOperators.Box(CelOperators.In(element(a), collection(a))));
    }

    private (CelType, CelEval) Index(CelCall c)
    {
        var (container, operand) = Visit(c.Args[0]);
        var (index, key) = Visit(c.Args[1]);
        var (ok, result) = container.Kind switch
        {
            CelKind.Dyn => (true, CelType.Dyn),
            CelKind.List => (index.Kind is CelKind.Int or CelKind.Dyn, container.Elem!),
            CelKind.Map => (CelType.Fits(index, container.Elem!), container.Value!),
            _ => (false, CelType.Dyn),
        };
        Require(ok, c.Position, $"Type error: a {container} cannot be indexed by a {index}");
        return (result, a => CelOperators.Index(operand(a), key(a)));
    }
}
