using System.Globalization;
using System.Text;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// Type conversions (cel-spec langdef "Type conversions"): <c>int()</c>, <c>uint()</c>, <c>double()</c>,
/// <c>string()</c>, <c>bytes()</c>, <c>bool()</c>; a value out of the target's range, or text that does not
/// spell one, is an evaluation error.
/// </summary>
internal static class CelConversions
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static object ToInt(object v) => v switch
    {
        long => v,
        ulong u => u <= long.MaxValue ? (long)u : throw Range("int", v),
        double d => d > -9.2233720368547758E18 && d < 9.2233720368547758E18 ? (long)Math.Truncate(d) : throw Range("int", v),
        string s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : throw Parse("int", s),
        DateTimeOffset t => t.ToUnixTimeSeconds(),
        _ => throw CelOperators.NoOverload("int", v),
    };

    public static object ToUint(object v) => v switch
    {
        ulong => v,
        long l => l >= 0 ? (ulong)l : throw Range("uint", v),
        double d => d >= 0 && d < 1.8446744073709552E19 ? (ulong)Math.Truncate(d) : throw Range("uint", v),
        string s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u : throw Parse("uint", s),
        _ => throw CelOperators.NoOverload("uint", v),
    };

    public static object ToDouble(object v) => v switch
    {
        double => v,
        long l => (double)l,
        ulong u => (double)u,
        string s => ParseDouble(s),
        _ => throw CelOperators.NoOverload("double", v),
    };

    private static double ParseDouble(string s)
    {
        var lower = s.ToLowerInvariant().TrimStart('+');
        if (lower is "inf" or "infinity") return double.PositiveInfinity;
        if (lower is "-inf" or "-infinity") return double.NegativeInfinity;
        if (lower == "nan") return double.NaN;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Parse("double", s);
    }

    public static object ToStringValue(object v) => v switch
    {
        string => v,
        long l => l.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        bool b => b ? "true" : "false",
        CelBytes b => Utf8(b),
        DateTimeOffset t => CelTime.FormatTimestamp(t),
        TimeSpan d => CelTime.FormatDuration(d),
        _ => throw CelOperators.NoOverload("string", v),
    };

    private static string Utf8(CelBytes b)
    {
        try
        {
            return StrictUtf8.GetString(b.Bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw new CelEvaluationException("string(bytes): the bytes are not valid UTF-8");
        }
    }

    public static object ToBytes(object v) => v switch
    {
        CelBytes => v,
        string s => new CelBytes(Encoding.UTF8.GetBytes(s)),
        _ => throw CelOperators.NoOverload("bytes", v),
    };

    public static object ToBool(object v) => v switch
    {
        bool => v,
        string s => s switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => CelOperators.True,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => CelOperators.False,
            _ => throw Parse("bool", s),
        },
        _ => throw CelOperators.NoOverload("bool", v),
    };

    public static object ToTimestamp(object v) => v switch
    {
        DateTimeOffset => v,
        string s => CelTime.ParseTimestamp(s),
        long l when l >= -62135596800 && l <= 253402300799 => DateTimeOffset.FromUnixTimeSeconds(l),
        long => throw Range("timestamp", v),
        _ => throw CelOperators.NoOverload("timestamp", v),
    };

    public static object ToDuration(object v) => v switch
    {
        TimeSpan => v,
        string s => CelTime.ParseDuration(s),
        _ => throw CelOperators.NoOverload("duration", v),
    };

    /// <summary>Go's <c>strconv.FormatFloat(d, 'g', -1, 64)</c>, which cel-go uses: shortest digits, exponent form below 1e-4 and from 1e21.</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        var r = d.ToString("E16", CultureInfo.InvariantCulture);
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = r.IndexOf('E', StringComparison.Ordinal);
        var exp = int.Parse(r.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exp < -4 || exp >= 21)
        {
            var mantissa = shortest.Contains('E', StringComparison.Ordinal) ? shortest[..shortest.IndexOf('E', StringComparison.Ordinal)] : shortest;
            var digits = mantissa.TrimStart('-').Replace(".", "", StringComparison.Ordinal).TrimStart('0').TrimEnd('0');
            if (digits.Length == 0) digits = "0";
            var m = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            return $"{(d < 0 ? "-" : "")}{m}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        return d.ToString("0.#################", CultureInfo.InvariantCulture) is var fixedForm && double.Parse(fixedForm, CultureInfo.InvariantCulture) == d
            ? fixedForm
            : decimal.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static CelEvaluationException Range(string target, object v) => new($"{target}({Show(v)}): out of range");

    private static CelEvaluationException Parse(string target, string s) => new($"{target}('{s}'): not a valid {target}");

    private static string Show(object v) => v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v.ToString() ?? "";
}
