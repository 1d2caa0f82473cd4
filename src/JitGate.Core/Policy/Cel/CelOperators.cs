namespace JitGate.Core.Policy.Cel;

/// <summary>
/// The runtime of CEL's operators (cel-spec langdef "Equality", "Ordering", "Arithmetic"): heterogeneous
/// equality, ordering across int, uint and double, 64-bit arithmetic whose overflow and division by
/// zero are errors, strings compared by code point.
/// </summary>
internal static class CelOperators
{
    public static readonly object True = true;
    public static readonly object False = false;

    public static object Box(bool b) => b ? True : False;

    public static CelEvaluationException NoOverload(string function, params object[] args) =>
        new($"no such overload: {CelOps.Display(function)} on {string.Join(", ", args.Select(CelType.NameOf))}");

    /// <summary>CEL equality: numbers compare by value across int, uint and double; values of other different types are unequal.</summary>
    public static bool Equal(object a, object b)
    {
        switch (a, b)
        {
            case (long x, long y): return x == y;
            case (string x, string y): return string.Equals(x, y, StringComparison.Ordinal);
            case (bool x, bool y): return x == y;
            case (double x, double y): return x == y;
            case (ulong x, ulong y): return x == y;
            case (long or ulong or double, long or ulong or double): return CompareNumbers(a, b) == 0;
            case (CelBytes x, CelBytes y): return x.Equals(y);
            case (CelNull, CelNull): return true;
            case (CelTypeValue x, CelTypeValue y): return x.Name == y.Name;
            case (DateTimeOffset x, DateTimeOffset y): return x == y;
            case (TimeSpan x, TimeSpan y): return x == y;
            case (IReadOnlyList<object> x, IReadOnlyList<object> y):
                if (x.Count != y.Count) return false;
                for (var i = 0; i < x.Count; i++)
                {
                    if (!Equal(x[i], y[i])) return false;
                }
                return true;
            case (CelMap x, CelMap y):
                if (x.Count != y.Count) return false;
                foreach (var key in x.Keys)
                {
                    if (!y.TryGet(key, out var other) || !x.TryGet(key, out var mine) || !Equal(mine, other)) return false;
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>-1, 0 or 1; null when a NaN takes part (every ordering with NaN is false).</summary>
    public static int? CompareNumbers(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (ulong x, ulong y) => x.CompareTo(y),
        (double x, double y) => double.IsNaN(x) || double.IsNaN(y) ? null : x.CompareTo(y),
        (long x, ulong y) => x < 0 ? -1 : ((ulong)x).CompareTo(y),
        (ulong x, long y) => y < 0 ? 1 : x.CompareTo((ulong)y),
        (long x, double y) => CompareIntDouble(x, y),
        (double x, long y) => -CompareIntDouble(y, x),
        (ulong x, double y) => CompareUintDouble(x, y),
        (double x, ulong y) => -CompareUintDouble(y, x),
        _ => throw new InvalidOperationException("not numbers"),
    };

    // cel-spec compares an integer with a double after converting the integer to double, as cel-go does.
    private static int? CompareIntDouble(long x, double y) => double.IsNaN(y) ? null : ((double)x).CompareTo(y);

    private static int? CompareUintDouble(ulong x, double y) => double.IsNaN(y) ? null : ((double)x).CompareTo(y);

    /// <summary>Ordering for &lt; &lt;= &gt; &gt;=: numbers across types, strings by code point, bytes, bools, timestamps, durations.</summary>
    public static bool Order(string function, object a, object b)
    {
        int? c = (a, b) switch
        {
            (long or ulong or double, long or ulong or double) => CompareNumbers(a, b),
            (string x, string y) => CompareCodePoints(x, y),
            (CelBytes x, CelBytes y) => x.Bytes.Span.SequenceCompareTo(y.Bytes.Span),
            (bool x, bool y) => x.CompareTo(y),
            (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
            (TimeSpan x, TimeSpan y) => x.CompareTo(y),
            _ => throw NoOverload(function, a, b),
        };
        if (c is not { } v) return false;
        return function switch
        {
            CelOps.Less => v < 0,
            CelOps.LessEquals => v <= 0,
            CelOps.Greater => v > 0,
            _ => v >= 0,
        };
    }

    // UTF-16 order differs from code point order once surrogates meet U+E000..U+FFFF; this shifts them apart.
    public static int CompareCodePoints(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            int x = a[i], y = b[i];
            if (x == y) continue;
            if (x >= 0xD800 && y >= 0xD800)
            {
                x += x >= 0xE000 ? -0x800 : 0x2000;
                y += y >= 0xE000 ? -0x800 : 0x2000;
            }
            return x < y ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }

    public static object Add(object a, object b)
    {
        try
        {
            return (a, b) switch
            {
                (long x, long y) => checked(x + y),
                (ulong x, ulong y) => checked(x + y),
                (double x, double y) => x + y,
                (string x, string y) => string.Concat(x, y),
                (CelBytes x, CelBytes y) => new CelBytes([.. x.Bytes.Span, .. y.Bytes.Span]),
                (IReadOnlyList<object> x, IReadOnlyList<object> y) => (object[])[.. x, .. y],
                (DateTimeOffset x, TimeSpan y) => CelTime.Check(x + y),
                (TimeSpan x, DateTimeOffset y) => CelTime.Check(y + x),
                (TimeSpan x, TimeSpan y) => x + y,
                _ => throw NoOverload(CelOps.Add, a, b),
            };
        }
        catch (OverflowException)
        {
            throw new CelEvaluationException("return error for overflow");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CelEvaluationException("timestamp out of range");
        }
    }

    public static object Arithmetic(string function, object a, object b)
    {
        try
        {
            return (function, a, b) switch
            {
                (CelOps.Subtract, long x, long y) => checked(x - y),
                (CelOps.Subtract, ulong x, ulong y) => checked(x - y),
                (CelOps.Subtract, double x, double y) => x - y,
                (CelOps.Subtract, DateTimeOffset x, DateTimeOffset y) => x - y,
                (CelOps.Subtract, DateTimeOffset x, TimeSpan y) => CelTime.Check(x - y),
                (CelOps.Subtract, TimeSpan x, TimeSpan y) => x - y,
                (CelOps.Multiply, long x, long y) => checked(x * y),
                (CelOps.Multiply, ulong x, ulong y) => checked(x * y),
                (CelOps.Multiply, double x, double y) => x * y,
                (CelOps.Divide, long, 0L) or (CelOps.Divide, ulong, 0UL) => throw new CelEvaluationException("division by zero"),
                (CelOps.Divide, long x, long y) => checked(x / y),
                (CelOps.Divide, ulong x, ulong y) => x / y,
                (CelOps.Divide, double x, double y) => x / y,
                (CelOps.Modulo, long, 0L) or (CelOps.Modulo, ulong, 0UL) => throw new CelEvaluationException("modulus by zero"),
                (CelOps.Modulo, long x, long y) => y == -1 ? 0L : x % y,
                (CelOps.Modulo, ulong x, ulong y) => x % y,
                _ => throw NoOverload(function, a, b),
            };
        }
        catch (OverflowException)
        {
            throw new CelEvaluationException("return error for overflow");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CelEvaluationException("timestamp out of range");
        }
    }

    public static object Negate(object a) => a switch
    {
        long x when x == long.MinValue => throw new CelEvaluationException("return error for overflow"),
        long x => -x,
        double x => -x,
        TimeSpan x when x == TimeSpan.MinValue => throw new CelEvaluationException("return error for overflow"),
        TimeSpan x => -x,
        _ => throw NoOverload(CelOps.Negate, a),
    };

    public static bool In(object item, object container) => container switch
    {
        IReadOnlyList<object> list => list.Any(e => Equal(e, item)),
        CelMap map => item is long or ulong or double or string or bool ? map.TryGet(item, out _) : false,
        _ => throw NoOverload(CelOps.In, item, container),
    };

    public static object Index(object container, object index)
    {
        switch (container)
        {
            case IReadOnlyList<object> list:
                long i = index switch
                {
                    long l => l,
                    ulong u when u <= long.MaxValue => (long)u,
                    double d when d == Math.Floor(d) && d >= -9.2233720368547758E18 && d < 9.2233720368547758E18 => (long)d,
                    ulong or double => -1,
                    _ => throw NoOverload(CelOps.Index, container, index),
                };
                if (i < 0 || i >= list.Count) throw new CelEvaluationException($"index out of range: {index}");
                return list[(int)i];
            case CelMap map:
                if (index is not (long or ulong or double or string or bool)) throw NoOverload(CelOps.Index, container, index);
                return map.TryGet(index, out var v) ? v : throw new CelEvaluationException($"no such key: {index}");
            default:
                throw NoOverload(CelOps.Index, container, index);
        }
    }

    /// <summary>size(): code points of a string, octets of bytes, entries of a list or map.</summary>
    public static long Size(object value) => value switch
    {
        string s => CodePoints(s),
        CelBytes b => b.Bytes.Length,
        IReadOnlyList<object> l => l.Count,
        CelMap m => m.Count,
        _ => throw NoOverload("size", value),
    };

    public static long CodePoints(string s)
    {
        var n = s.Length;
        foreach (var c in s)
        {
            if (char.IsLowSurrogate(c)) n--;
        }
        return n;
    }
}
