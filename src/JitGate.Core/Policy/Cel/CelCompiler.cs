namespace JitGate.Core.Policy.Cel;

/// <summary>The types of the CEL subset.</summary>
public enum CelType { Bool, Number, Text, TextList, NumberList }

/// <summary>A variable a condition may use: its type and how to read it from the context.</summary>
public sealed record CelVariableDef<TContext>(CelType Type, Func<TContext, object> Get);

/// <summary>
/// Type-checks a parsed condition against the variables it may use and turns it into a delegate,
/// once; evaluating it is then a few delegate calls with no parsing or lookups.
/// </summary>
public static class CelCompiler
{
    public static Func<TContext, bool> Compile<TContext>(string condition, IReadOnlyDictionary<string, CelVariableDef<TContext>> variables)
    {
        if (string.IsNullOrWhiteSpace(condition)) throw new CelException("The condition is empty.", 0);
        if (condition.Length > 4000) throw new CelException("The condition is longer than 4000 characters.", 4000);
        var node = CelParser.ParseCondition(condition);
        var (type, eval) = new Compiler<TContext>(variables).Visit(node);
        if (type != CelType.Bool) throw new CelException($"The condition at position {node.Position + 1} must be true or false, but it is a {Name(type)}.", node.Position);
        return ctx => (bool)eval(ctx);
    }

    internal static string Name(CelType t) => t switch
    {
        CelType.Bool => "bool",
        CelType.Number => "int",
        CelType.Text => "string",
        CelType.TextList => "list(string)",
        _ => "list(int)",
    };

    private sealed class Compiler<TContext>(IReadOnlyDictionary<string, CelVariableDef<TContext>> variables)
    {
        public (CelType, Func<TContext, object>) Visit(CelNode node) => node switch
        {
            CelLiteral l => (TypeOf(l), _ => l.Value),
            CelVariable v => variables.TryGetValue(v.Name, out var def)
                ? (def.Type, def.Get)
                : throw new CelException($"Unknown variable '{v.Name}' at position {v.Position + 1}; known: {string.Join(", ", variables.Keys.Order())}.", v.Position),
            CelList list => VisitList(list),
            CelUnary u => VisitUnary(u),
            CelBinary b => VisitBinary(b),
            CelCall c => VisitCall(c),
            _ => throw new CelException("Unsupported expression.", node.Position),
        };

        private static CelType TypeOf(CelLiteral l) => l.Value switch
        {
            bool => CelType.Bool,
            long => CelType.Number,
            _ => CelType.Text,
        };

        private (CelType, Func<TContext, object>) VisitList(CelList list)
        {
            var items = list.Items.Select(Visit).ToList();
            var itemType = items.Count == 0 ? CelType.Text : items[0].Item1;
            foreach (var (t, _) in items)
            {
                if (t != itemType || t is not (CelType.Text or CelType.Number))
                {
                    throw new CelException($"A list at position {list.Position + 1} must hold only strings or only integers.", list.Position);
                }
            }
            var evals = items.Select(i => i.Item2).ToArray();
            return itemType == CelType.Number
                ? (CelType.NumberList, ctx => evals.Select(e => (long)e(ctx)).ToArray())
                : (CelType.TextList, ctx => evals.Select(e => (string)e(ctx)).ToArray());
        }

        private (CelType, Func<TContext, object>) VisitUnary(CelUnary u)
        {
            var (t, eval) = Visit(u.Operand);
            return u.Op switch
            {
                "!" when t == CelType.Bool => (CelType.Bool, ctx => !(bool)eval(ctx)),
                "-" when t == CelType.Number => (CelType.Number, ctx => -(long)eval(ctx)),
                _ => throw Mismatch(u.Position, $"'{u.Op}' cannot be applied to a {Name(t)}"),
            };
        }

        private (CelType, Func<TContext, object>) VisitBinary(CelBinary b)
        {
            var (lt, l) = Visit(b.Left);
            var (rt, r) = Visit(b.Right);
            switch (b.Op)
            {
                case "&&" when lt == CelType.Bool && rt == CelType.Bool:
                    return (CelType.Bool, ctx => (bool)l(ctx) && (bool)r(ctx));
                case "||" when lt == CelType.Bool && rt == CelType.Bool:
                    return (CelType.Bool, ctx => (bool)l(ctx) || (bool)r(ctx));
                case "==" or "!=" when lt == rt && lt is CelType.Bool or CelType.Number or CelType.Text:
                    var negate = b.Op == "!=";
                    return (CelType.Bool, ctx => l(ctx).Equals(r(ctx)) != negate);
                case "<" or "<=" or ">" or ">=" when lt == rt && lt is CelType.Number or CelType.Text:
                    var op = b.Op;
                    return (CelType.Bool, ctx =>
                    {
                        var c = lt == CelType.Number ? ((long)l(ctx)).CompareTo((long)r(ctx)) : string.CompareOrdinal((string)l(ctx), (string)r(ctx));
                        return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
                    });
                case "in" when lt == CelType.Text && rt == CelType.TextList:
                    return (CelType.Bool, ctx => Array.IndexOf((string[])r(ctx), (string)l(ctx)) >= 0);
                case "in" when lt == CelType.Number && rt == CelType.NumberList:
                    return (CelType.Bool, ctx => Array.IndexOf((long[])r(ctx), (long)l(ctx)) >= 0);
                case "+" when lt == CelType.Text && rt == CelType.Text:
                    return (CelType.Text, ctx => (string)l(ctx) + (string)r(ctx));
                case "+" or "-" or "*" or "/" or "%" when lt == CelType.Number && rt == CelType.Number:
                    var arith = b.Op;
                    return (CelType.Number, ctx =>
                    {
                        long x = (long)l(ctx), y = (long)r(ctx);
                        return arith switch
                        {
                            "+" => x + y,
                            "-" => x - y,
                            "*" => x * y,
                            _ when y == 0 => 0L,
                            "/" => x / y,
                            _ => x % y,
                        };
                    });
                default:
                    throw Mismatch(b.Position, $"'{b.Op}' cannot be applied to a {Name(lt)} and a {Name(rt)}");
            }
        }

        private (CelType, Func<TContext, object>) VisitCall(CelCall c)
        {
            var (tt, target) = Visit(c.Target);
            var args = c.Args.Select(Visit).ToList();
            switch (c.Method)
            {
                case "startsWith" or "endsWith" or "contains" when tt == CelType.Text && args is [(CelType.Text, var a)]:
                    Func<string, string, bool> test = c.Method switch
                    {
                        "startsWith" => (s, x) => s.StartsWith(x, StringComparison.Ordinal),
                        "endsWith" => (s, x) => s.EndsWith(x, StringComparison.Ordinal),
                        _ => (s, x) => s.Contains(x, StringComparison.Ordinal),
                    };
                    return (CelType.Bool, ctx => test((string)target(ctx), (string)a(ctx)));
                case "matches" when tt == CelType.Text && args is [(CelType.Text, var pattern)]:
                    return (CelType.Bool, ctx => System.Text.RegularExpressions.Regex.IsMatch((string)target(ctx), (string)pattern(ctx),
                        System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50)));
                case "size" when args.Count == 0 && tt is CelType.Text or CelType.TextList or CelType.NumberList:
                    return (CelType.Number, ctx => (long)(target(ctx) switch { string s => s.Length, Array a => a.Length, _ => 0 }));
                default:
                    throw new CelException($"Unknown method '{c.Method}' for a {Name(tt)} at position {c.Position + 1} " +
                        "(supported: startsWith, endsWith, contains, matches on strings; size() on strings and lists).", c.Position);
            }
        }

        private static CelException Mismatch(int position, string what) => new($"Type error at position {position + 1}: {what}.", position);
    }
}
