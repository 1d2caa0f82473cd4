namespace JitGate.Core.Policy.Cel;

internal sealed partial class CelCompilation
{
    private static readonly string Supported =
        "size, contains, startsWith, endsWith, matches, int, uint, double, string, bytes, bool, type, dyn, timestamp, duration, " +
        "the getHours() family on timestamps, and the macros has, all, exists, exists_one, map, filter";

    private (CelType, CelEval) Function(CelCall c)
    {
        var target = c.Target is null ? ((CelType, CelEval)?)null : Visit(c.Target);
        var args = c.Args.Select(Visit).ToArray();
        var all = target is { } t ? [t, .. args] : args;
        var kinds = all.Select(a => a.Item1).ToArray();
        var evals = all.Select(a => a.Item2).ToArray();
        var receiver = target is not null;
        var name = c.Function;

        CelType? result = (name, receiver, kinds.Length) switch
        {
            ("size", _, 1) => Fits(kinds[0], CelKind.String, CelKind.Bytes, CelKind.List, CelKind.Map) ? CelType.Int : null,
            ("contains" or "startsWith" or "endsWith", true, 2) => Fits(kinds[0], CelKind.String) && Fits(kinds[1], CelKind.String) ? CelType.Bool : null,
            ("matches", _, 2) => Fits(kinds[0], CelKind.String) && Fits(kinds[1], CelKind.String) ? CelType.Bool : null,
            ("int", false, 1) => Fits(kinds[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String, CelKind.Timestamp) ? CelType.Int : null,
            ("uint", false, 1) => Fits(kinds[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String) ? CelType.Uint : null,
            ("double", false, 1) => Fits(kinds[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String) ? CelType.Double : null,
            ("string", false, 1) => Fits(kinds[0], CelKind.Int, CelKind.Uint, CelKind.Double, CelKind.String, CelKind.Bytes, CelKind.Bool,
                CelKind.Timestamp, CelKind.Duration) ? CelType.String : null,
            ("bytes", false, 1) => Fits(kinds[0], CelKind.Bytes, CelKind.String) ? CelType.Bytes : null,
            ("bool", false, 1) => Fits(kinds[0], CelKind.Bool, CelKind.String) ? CelType.Bool : null,
            ("timestamp", false, 1) => Fits(kinds[0], CelKind.Timestamp, CelKind.String, CelKind.Int) ? CelType.Timestamp : null,
            ("duration", false, 1) => Fits(kinds[0], CelKind.Duration, CelKind.String) ? CelType.Duration : null,
            ("type", false, 1) => CelType.Type,
            ("dyn", false, 1) => CelType.Dyn,
            (_, true, 1 or 2) when CelTime.Accessors.Contains(name) =>
                Fits(kinds[0], CelKind.Timestamp, CelKind.Duration) && (kinds.Length == 1 || Fits(kinds[1], CelKind.String)) ? CelType.Int : null,
            _ => KnownName(name) ? null : UnknownFunction(c),
        };
        if (result is null)
        {
            var shown = receiver ? $"{kinds[0]}.{name}({string.Join(", ", kinds.Skip(1))})" : $"{name}({string.Join(", ", kinds)})";
            Require(false, c.Position, $"Type error: no overload of '{name}' takes {shown}");
            result = CelType.Dyn;
        }
        return (result, Implementation(c, evals));
    }

    private static bool KnownName(string name) =>
        name is "size" or "contains" or "startsWith" or "endsWith" or "matches" or "int" or "uint" or "double" or "string" or "bytes"
            or "bool" or "timestamp" or "duration" or "type" or "dyn" || CelTime.Accessors.Contains(name);

    private CelType? UnknownFunction(CelCall c)
    {
        if (check)
        {
            throw Error(c.Position, $"Unknown function '{c.Function}'; supported: {Supported}");
        }
        return CelType.Dyn;
    }

    private static bool Fits(CelType t, params CelKind[] kinds) => t.IsDyn || kinds.Contains(t.Kind);

    private CelEval Implementation(CelCall c, CelEval[] args)
    {
        var name = c.Function;
        switch (name, args.Length)
        {
            case ("size", 1):
                return a => CelOperators.Size(args[0](a));
            case ("contains" or "startsWith" or "endsWith", 2):
                return a => (args[0](a), args[1](a)) switch
                {
                    (string s, string x) => CelOperators.Box(name switch
                    {
                        "contains" => s.Contains(x, StringComparison.Ordinal),
                        "startsWith" => s.StartsWith(x, StringComparison.Ordinal),
                        _ => s.EndsWith(x, StringComparison.Ordinal),
                    }),
                    var (s, x) => throw CelOperators.NoOverload(name, s, x),
                };
            case ("matches", 2):
                return Matches(c, args);
            case ("int", 1):
                return a => CelConversions.ToInt(args[0](a));
            case ("uint", 1):
                return a => CelConversions.ToUint(args[0](a));
            case ("double", 1):
                return a => CelConversions.ToDouble(args[0](a));
            case ("string", 1):
                return a => CelConversions.ToStringValue(args[0](a));
            case ("bytes", 1):
                return a => CelConversions.ToBytes(args[0](a));
            case ("bool", 1):
                return a => CelConversions.ToBool(args[0](a));
            case ("timestamp", 1):
                return a => CelConversions.ToTimestamp(args[0](a));
            case ("duration", 1):
                return a => CelConversions.ToDuration(args[0](a));
            case ("type", 1):
                return a => new CelTypeValue(CelType.NameOf(args[0](a)));
            case ("dyn", 1):
                return args[0];
            case (_, 1 or 2) when CelTime.Accessors.Contains(name) && c.Target is not null:
                return a =>
                {
                    var zone = args.Length == 2 ? args[1](a) as string ?? throw CelOperators.NoOverload(name, args[1](a)) : null;
                    return args[0](a) switch
                    {
                        DateTimeOffset t => CelTime.Get(name, t, zone),
                        TimeSpan d when zone is null => CelTime.Get(name, d),
                        var other => throw CelOperators.NoOverload(name, other),
                    };
                };
            default:
                return _ => throw new CelEvaluationException($"no such overload: {name} with {args.Length} argument(s)");
        }
    }

    // A literal pattern is translated and compiled now, so an invalid one is refused when the rule is saved.
    private CelEval Matches(CelCall c, CelEval[] args)
    {
        var patternNode = c.Target is null ? c.Args[1] : c.Args[0];
        if (patternNode is CelLiteral { Value: string pattern })
        {
            System.Text.RegularExpressions.Regex regex;
            try
            {
                regex = CelRegex.Compile(pattern);
            }
            catch (Re2Exception e)
            {
                var at = patternNode.Position;
                if (check) throw new CelException($"Invalid regular expression at position {at + 1}: {e.Message} (at offset {e.Position} of the pattern).", at);
                var message = $"invalid regular expression: {e.Message}";
                return _ => throw new CelEvaluationException(message);
            }
            return a => args[0](a) is string s ? CelOperators.Box(regex.IsMatch(s)) : throw CelOperators.NoOverload("matches", args[0](a));
        }
        return a => (args[0](a), args[1](a)) switch
        {
            (string s, string p) => CelOperators.Box(CelRegex.Matches(s, p)),
            var (s, p) => throw CelOperators.NoOverload("matches", s, p),
        };
    }
}
