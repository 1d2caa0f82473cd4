namespace JitGate.Core.Policy.Cel;

#pragma warning disable CA1720 // the members are named after CEL's types, which is what callers look for

/// <summary>The kinds of CEL type (cel-spec langdef "Types"); <see cref="Dyn"/> is checked only at evaluation.</summary>
public enum CelKind { Dyn, Null, Bool, Int, Uint, Double, String, Bytes, List, Map, Type, Timestamp, Duration }

/// <summary>
/// A static CEL type: a kind, and for lists and maps their element types. Used to check a condition
/// when it is saved, so that <c>"a" + 1</c> or an unknown variable is refused before it is ever run.
/// </summary>
public sealed record CelType(CelKind Kind, CelType? Elem = null, CelType? Value = null)
{
    /// <summary>Any type; checked only at evaluation.</summary>
    public static readonly CelType Dyn = new(CelKind.Dyn);
    /// <summary>null_type.</summary>
    public static readonly CelType Null = new(CelKind.Null);
    /// <summary>bool.</summary>
    public static readonly CelType Bool = new(CelKind.Bool);
    /// <summary>int: 64-bit signed.</summary>
    public static readonly CelType Int = new(CelKind.Int);
    /// <summary>uint: 64-bit unsigned.</summary>
    public static readonly CelType Uint = new(CelKind.Uint);
    /// <summary>double: IEEE 754 64-bit.</summary>
    public static readonly CelType Double = new(CelKind.Double);
    /// <summary>string: Unicode code points.</summary>
    public static readonly CelType String = new(CelKind.String);
    /// <summary>bytes.</summary>
    public static readonly CelType Bytes = new(CelKind.Bytes);
    /// <summary>type: the type of type values such as <c>int</c>.</summary>
    public static readonly CelType Type = new(CelKind.Type);
    /// <summary>google.protobuf.Timestamp, a point in time.</summary>
    public static readonly CelType Timestamp = new(CelKind.Timestamp);
    /// <summary>google.protobuf.Duration, a span of time.</summary>
    public static readonly CelType Duration = new(CelKind.Duration);

    /// <summary>list(elem).</summary>
    public static CelType ListOf(CelType elem) => new(CelKind.List, elem);

    /// <summary>map(key, value).</summary>
    public static CelType MapOf(CelType key, CelType value) => new(CelKind.Map, key, value);

    /// <summary>The type as CEL writes it, e.g. <c>list(string)</c>.</summary>
    public override string ToString() => Kind switch
    {
        CelKind.List => $"list({Elem})",
        CelKind.Map => $"map({Elem}, {Value})",
        CelKind.Null => "null",
        CelKind.Timestamp => "timestamp",
        CelKind.Duration => "duration",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    internal bool IsDyn => Kind == CelKind.Dyn;

    internal bool IsNumber => Kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    /// <summary>Whether a value of one type may stand where the other is expected; dyn fits anything, both ways.</summary>
    internal static bool Fits(CelType a, CelType b)
    {
        if (a.IsDyn || b.IsDyn) return true;
        if (a.Kind != b.Kind) return false;
        return a.Kind switch
        {
            CelKind.List => Fits(a.Elem!, b.Elem!),
            CelKind.Map => Fits(a.Elem!, b.Elem!) && Fits(a.Value!, b.Value!),
            _ => true,
        };
    }

    /// <summary>The common type of two: the same type when they agree, otherwise dyn.</summary>
    internal static CelType Join(CelType a, CelType b)
    {
        if (a == b) return a;
        if (a.Kind == b.Kind && a.Kind == CelKind.List) return ListOf(Join(a.Elem!, b.Elem!));
        if (a.Kind == b.Kind && a.Kind == CelKind.Map) return MapOf(Join(a.Elem!, b.Elem!), Join(a.Value!, b.Value!));
        return Dyn;
    }

    /// <summary>The runtime type name of a value, as <c>type(x)</c> gives it.</summary>
    internal static string NameOf(object value) => value switch
    {
        long => "int",
        ulong => "uint",
        double => "double",
        bool => "bool",
        string => "string",
        CelBytes => "bytes",
        CelNull => "null_type",
        CelMap => "map",
        IReadOnlyList<object> => "list",
        CelTypeValue => "type",
        DateTimeOffset => "google.protobuf.Timestamp",
        TimeSpan => "google.protobuf.Duration",
        _ => "unknown",
    };
}
