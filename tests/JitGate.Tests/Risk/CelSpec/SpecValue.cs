using System.Globalization;

namespace JitGate.Tests.Risk.CelSpec;

/// <summary>A CEL value as cel-spec's test files write it (cel.expr.Value), independent of any evaluator.</summary>
internal abstract record SpecValue
{
    public static SpecValue From(PbMessage value)
    {
        var (name, field) = value.Fields.Single();
        return name switch
        {
            "int64_value" => new SpecInt(long.Parse(Token(field), CultureInfo.InvariantCulture)),
            "uint64_value" => new SpecUint(ulong.Parse(Token(field), CultureInfo.InvariantCulture)),
            "double_value" => new SpecDouble(ParseDouble(Token(field))),
            "string_value" => new SpecString(((PbBytes)field).Utf8),
            "bytes_value" => new SpecBytes(((PbBytes)field).Bytes),
            "bool_value" => new SpecBool(Token(field) == "true"),
            "null_value" => new SpecNull(),
            "type_value" => new SpecType(((PbBytes)field).Utf8),
            "list_value" => new SpecList([.. ((PbMessage)field).All("values").Select(v => From((PbMessage)v))]),
            "map_value" => new SpecMap([.. ((PbMessage)field).All("entries").Cast<PbMessage>()
                .Select(e => (From(e.Message("key")!), From(e.Message("value")!)))]),
            _ => throw new NotSupportedException($"value kind {name}"),
        };
    }

    private static string Token(PbValue v) => ((PbToken)v).Text;

    private static double ParseDouble(string s) => s switch
    {
        "inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Equal as a test result: NaN equals NaN, map entries in any order, no cross-type numbers.</summary>
    public static bool Same(SpecValue a, SpecValue b) => (a, b) switch
    {
        (SpecDouble x, SpecDouble y) => x.Value.Equals(y.Value),
        (SpecBytes x, SpecBytes y) => x.Value.AsSpan().SequenceEqual(y.Value),
        (SpecList x, SpecList y) => x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(p => Same(p.First, p.Second)),
        (SpecMap x, SpecMap y) => x.Entries.Count == y.Entries.Count
            && x.Entries.All(e => y.Entries.Any(f => Same(e.Key, f.Key) && Same(e.Value, f.Value))),
        _ => a == b,
    };
}

internal sealed record SpecInt(long Value) : SpecValue;

internal sealed record SpecUint(ulong Value) : SpecValue;

internal sealed record SpecDouble(double Value) : SpecValue;

internal sealed record SpecString(string Value) : SpecValue;

internal sealed record SpecBytes(byte[] Value) : SpecValue
{
    public override string ToString() => $"b\"{Convert.ToHexString(Value)}\"";
}

internal sealed record SpecBool(bool Value) : SpecValue;

internal sealed record SpecNull : SpecValue;

internal sealed record SpecType(string Name) : SpecValue;

internal sealed record SpecList(List<SpecValue> Items) : SpecValue
{
    public override string ToString() => $"[{string.Join(", ", Items)}]";
}

internal sealed record SpecMap(List<(SpecValue Key, SpecValue Value)> Entries) : SpecValue
{
    public override string ToString() => $"{{{string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}"))}}}";
}
