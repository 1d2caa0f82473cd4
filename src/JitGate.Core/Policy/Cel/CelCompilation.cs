using System.Runtime.CompilerServices;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// One walk over a parsed expression that type-checks each node (cel-spec's checker, gradually typed:
/// dyn defers a check to evaluation) and builds the delegate that evaluates it. The walk's depth is the
/// tree's height, which the parser bounds.
/// </summary>
internal sealed partial class CelCompilation(IReadOnlyDictionary<string, (CelType Type, CelEval Eval)> variables, bool check)
{
    private static readonly Dictionary<string, CelTypeValue> TypeNames = new[]
    {
        "int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type",
    }.ToDictionary(n => n, n => new CelTypeValue(n));

    private readonly List<(string Name, int Slot, CelType Type)> _scope = [];

    /// <summary>How many comprehension variable slots an activation needs.</summary>
    public int Locals { get; private set; }

    public (CelType Type, CelEval Eval) Visit(CelNode node)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new CelException($"The condition nests too deeply at position {node.Position + 1}.", node.Position);
        }
        return node switch
        {
            CelLiteral l => Literal(l.Value),
            CelIdent i => Ident(i),
            CelSelect s => Select(s),
            CelCall c => Call(c),
            CelListLiteral l => List(l),
            CelMapLiteral m => Map(m),
            _ => throw new CelException("Unsupported expression.", node.Position),
        };
    }

    private static (CelType, CelEval) Literal(object value)
    {
        var boxed = value is bool b ? CelOperators.Box(b) : value;
        return (TypeOf(boxed), _ => boxed);
    }

    private static CelType TypeOf(object value) => value switch
    {
        long => CelType.Int,
        ulong => CelType.Uint,
        double => CelType.Double,
        string => CelType.String,
        bool => CelType.Bool,
        CelBytes => CelType.Bytes,
        CelNull => CelType.Null,
        _ => CelType.Dyn,
    };

    private static CelException Error(int position, string message) => new($"{message} (position {position + 1}).", position);

    /// <summary>A type error: refused now when checking, otherwise left to the evaluation, which raises no-such-overload.</summary>
    private void Require(bool ok, int position, string message)
    {
        if (check && !ok) throw Error(position, message);
    }

    private (CelType, CelEval) Ident(CelIdent i)
    {
        if (Local(i.Name) is { } local)
        {
            var slot = local.Slot;
            return (local.Type, a => a.Locals[slot]);
        }
        if (variables.TryGetValue(i.Name, out var v)) return v;
        if (TypeNames.TryGetValue(i.Name, out var t)) return (CelType.Type, _ => t);
        return Unknown(i.Position, i.Name);
    }

    private (CelType, CelEval) Unknown(int position, string name)
    {
        if (check)
        {
            var known = string.Join(", ", variables.Keys.Order(StringComparer.Ordinal));
            throw new CelException($"Unknown variable '{name}' at position {position + 1}; known: {known}.", position);
        }
        return (CelType.Dyn, _ => throw new CelEvaluationException($"no such attribute: {name}"));
    }

    private (string Name, int Slot, CelType Type)? Local(string name)
    {
        for (var k = _scope.Count - 1; k >= 0; k--)
        {
            if (_scope[k].Name == name) return _scope[k];
        }
        return null;
    }

    // a.b.c names a declared variable "a.b.c" (Bytebase's resource.db_engine) unless 'a' is a comprehension variable.
    private static string? QualifiedName(CelNode node) => node switch
    {
        CelIdent i => i.Name,
        CelSelect s when QualifiedName(s.Operand) is { } prefix => prefix + "." + s.Field,
        _ => null,
    };

    private (CelType, CelEval) Select(CelSelect s)
    {
        var name = QualifiedName(s);
        if (name is not null && Local(name.Split('.')[0]) is null)
        {
            if (variables.TryGetValue(name, out var v)) return v;
            if (!HasDeclaredPrefix(name)) return Unknown(Root(s).Position, name);
        }
        var (type, operand) = Visit(s.Operand);
        Require(type.Kind is CelKind.Map or CelKind.Dyn, s.Position, $"Type error: a {type} has no field '{s.Field}'");
        var field = s.Field;
        return (type.Kind == CelKind.Map ? type.Value! : CelType.Dyn, a => operand(a) switch
        {
            CelMap m => m.TryGet(field, out var value) ? value : throw new CelEvaluationException($"no such key: {field}"),
            var other => throw new CelEvaluationException($"no such field '{field}' on {CelType.NameOf(other)}"),
        });
    }

    private static CelNode Root(CelNode node) => node is CelSelect s ? Root(s.Operand) : node;

    private bool HasDeclaredPrefix(string name)
    {
        for (var dot = name.LastIndexOf('.'); dot > 0; dot = name.LastIndexOf('.', dot - 1))
        {
            var prefix = name[..dot];
            if (variables.ContainsKey(prefix) || Local(prefix) is not null) return true;
        }
        return false;
    }

    private (CelType, CelEval) List(CelListLiteral l)
    {
        var items = l.Items.Select(Visit).ToArray();
        var elem = items.Length == 0 ? CelType.Dyn : items.Select(i => i.Item1).Aggregate(CelType.Join);
        var evals = items.Select(i => i.Item2).ToArray();
        return (CelType.ListOf(elem), a =>
        {
            var values = new object[evals.Length];
            for (var k = 0; k < evals.Length; k++) values[k] = evals[k](a);
            return values;
        });
    }

    private (CelType, CelEval) Map(CelMapLiteral m)
    {
        var entries = m.Entries.Select(e => (Key: Visit(e.Key), Value: Visit(e.Value), Position: e.Key.Position)).ToArray();
        foreach (var e in entries)
        {
            Require(e.Key.Item1.Kind is CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.String or CelKind.Dyn,
                e.Position, $"Type error: a map key must be an int, uint, bool or string, not a {e.Key.Item1}");
        }
        var keyType = entries.Length == 0 ? CelType.Dyn : entries.Select(e => e.Key.Item1).Aggregate(CelType.Join);
        var valueType = entries.Length == 0 ? CelType.Dyn : entries.Select(e => e.Value.Item1).Aggregate(CelType.Join);
        var evals = entries.Select(e => (e.Key.Item2, e.Value.Item2)).ToArray();
        return (CelType.MapOf(keyType, valueType), a =>
        {
            var map = new CelMap();
            foreach (var (key, value) in evals)
            {
                var k = key(a);
                if (k is not (long or ulong or bool or string)) throw new CelEvaluationException($"unsupported key type: {CelType.NameOf(k)}");
                if (!map.TryAdd(k, value(a))) throw new CelEvaluationException($"Failed with repeated key: {k}");
            }
            return map;
        });
    }
}
