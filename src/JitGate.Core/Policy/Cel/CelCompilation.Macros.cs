namespace JitGate.Core.Policy.Cel;

/// <summary>cel-spec langdef "Macros": has, all, exists, exists_one, map and filter over lists (elements) and maps (keys).</summary>
internal sealed partial class CelCompilation
{
    private static bool IsMacro(CelCall c) => (c.Function, c.Args.Count) switch
    {
        ("all" or "exists" or "exists_one" or "filter", 2) => true,
        ("map", 2 or 3) => true,
        _ => false,
    };

    private (CelType, CelEval) Has(CelCall c)
    {
        if (c.Args is not [CelSelect select])
        {
            throw Error(c.Position, "has() takes one field selection, such as has(m.key)");
        }
        if (QualifiedName(select) is { } name && Local(name.Split('.')[0]) is null && variables.ContainsKey(name))
        {
            return (CelType.Bool, _ => CelOperators.True);
        }
        var (type, operand) = Visit(select.Operand);
        Require(type.Kind is CelKind.Map or CelKind.Dyn, c.Position, $"Type error: has() cannot test a field of a {type}");
        var field = select.Field;
        return (CelType.Bool, a => operand(a) switch
        {
            CelMap m => CelOperators.Box(m.TryGet(field, out _)),
            var other => throw new CelEvaluationException($"no such field '{field}' on {CelType.NameOf(other)}"),
        });
    }

    private (CelType, CelEval) Macro(CelCall c)
    {
        if (c.Args[0] is not CelIdent variable)
        {
            throw Error(c.Args[0].Position, $"The first argument of {c.Function}() must be a variable name");
        }
        var (rangeType, range) = Visit(c.Target!);
        Require(rangeType.Kind is CelKind.List or CelKind.Map or CelKind.Dyn, c.Position, $"Type error: {c.Function}() cannot range over a {rangeType}");
        var elemType = rangeType.Kind is CelKind.List or CelKind.Map ? rangeType.Elem! : CelType.Dyn;

        var slot = Locals++;
        _scope.Add((variable.Name, slot, elemType));
        try
        {
            var bodies = c.Args.Skip(1).Select(Visit).ToArray();
            var function = c.Function;
            for (var k = 0; k < bodies.Length; k++)
            {
                var isTransform = function == "map" && k == bodies.Length - 1;
                if (!isTransform) Require(bodies[k].Item1.Kind is CelKind.Bool or CelKind.Dyn, c.Args[k + 1].Position, $"Type error: the condition of {function}() must be a bool, not a {bodies[k].Item1}");
            }
            var predicate = bodies[0].Item2;
            return function switch
            {
                "all" => (CelType.Bool, a => Quantify(a, range, slot, predicate, decisive: false)),
                "exists" => (CelType.Bool, a => Quantify(a, range, slot, predicate, decisive: true)),
                "exists_one" => (CelType.Bool, a => ExistsOne(a, range, slot, predicate)),
                "filter" => (CelType.ListOf(elemType), a => Collect(a, range, slot, predicate, null)),
                _ when bodies.Length == 1 => (CelType.ListOf(bodies[0].Item1), a => Collect(a, range, slot, null, predicate)),
                _ => (CelType.ListOf(bodies[1].Item1), a => Collect(a, range, slot, predicate, bodies[1].Item2)),
            };
        }
        finally
        {
            _scope.RemoveAt(_scope.Count - 1);
        }
    }

    private static IReadOnlyList<object> Items(object range) => range switch
    {
        IReadOnlyList<object> list => list,
        CelMap map => map.Keys,
        _ => throw new CelEvaluationException($"no such overload: cannot range over {CelType.NameOf(range)}"),
    };

    // all() and exists() fold with && and ||: a decisive element wins over errors from the others.
    private static object Quantify(CelActivation a, CelEval range, int slot, CelEval predicate, bool decisive)
    {
        CelEvaluationException? error = null;
        foreach (var item in Items(range(a)))
        {
            a.Step();
            a.Locals[slot] = item;
            try
            {
                switch (predicate(a))
                {
                    case bool b when b == decisive:
                        return CelOperators.Box(decisive);
                    case bool:
                        break;
                    case var other:
                        error ??= CelOperators.NoOverload(decisive ? CelOps.Or : CelOps.And, other);
                        break;
                }
            }
            catch (CelEvaluationException e)
            {
                error ??= e;
            }
        }
        return error is null ? CelOperators.Box(!decisive) : throw error;
    }

    private static object ExistsOne(CelActivation a, CelEval range, int slot, CelEval predicate)
    {
        var count = 0;
        foreach (var item in Items(range(a)))
        {
            a.Step();
            a.Locals[slot] = item;
            switch (predicate(a))
            {
                case true:
                    count++;
                    break;
                case false:
                    break;
                case var other:
                    throw CelOperators.NoOverload("exists_one", other);
            }
        }
        return CelOperators.Box(count == 1);
    }

    private static object[] Collect(CelActivation a, CelEval range, int slot, CelEval? filter, CelEval? transform)
    {
        var result = new List<object>();
        foreach (var item in Items(range(a)))
        {
            a.Step();
            a.Locals[slot] = item;
            if (filter is not null)
            {
                var keep = filter(a);
                if (keep is not bool b) throw CelOperators.NoOverload("filter", keep);
                if (!b) continue;
            }
            result.Add(transform is null ? item : transform(a));
        }
        return result.ToArray();
    }
}
