namespace JitGate.Core.Policy.Cel;

/// <summary>CEL's <c>null</c> (cel-spec langdef "Values": null_type has the single value null).</summary>
public sealed class CelNull
{
    /// <summary>The only instance.</summary>
    public static readonly CelNull Value = new();

    private CelNull() { }

    /// <inheritdoc />
    public override string ToString() => "null";
}

/// <summary>A CEL <c>bytes</c> value: an immutable sequence of octets, compared byte by byte.</summary>
public sealed class CelBytes(byte[] bytes) : IEquatable<CelBytes>
{
    /// <summary>The octets; callers must not change them.</summary>
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    /// <inheritdoc />
    public bool Equals(CelBytes? other) => other is not null && Bytes.Span.SequenceEqual(other.Bytes.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CelBytes b && Equals(b);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.Span);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"b\"{Convert.ToHexString(Bytes.Span)}\"";
}

/// <summary>A CEL type value such as <c>int</c> or <c>list</c>, the result of <c>type(x)</c> (langdef "Type values").</summary>
public sealed record CelTypeValue(string Name)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A CEL map (langdef "Maps"): keys are int, uint, bool or string; int and uint keys holding the same
/// number are the same key, and a double key is looked up by its integral value.
/// </summary>
public sealed class CelMap
{
    private readonly Dictionary<object, object> _entries = new(CelKeyComparer.Instance);
    private readonly List<object> _keys = [];

    /// <summary>The keys in the order they were added.</summary>
    public IReadOnlyList<object> Keys => _keys;

    /// <summary>How many entries the map has.</summary>
    public int Count => _keys.Count;

    /// <summary>Adds an entry; false when the key is already there.</summary>
    public bool TryAdd(object key, object value)
    {
        if (!_entries.TryAdd(key, value)) return false;
        _keys.Add(key);
        return true;
    }

    /// <summary>The value of a key; a double key matches an int or uint key of the same integral value.</summary>
    public bool TryGet(object key, out object value)
    {
        if (key is double d)
        {
            if (d == Math.Floor(d) && d >= long.MinValue && d < 9.2233720368547758E18) key = (long)d;
            else if (d == Math.Floor(d) && d >= 0 && d < 1.8446744073709552E19) key = (ulong)d;
            else
            {
                value = CelNull.Value;
                return false;
            }
        }
        return _entries.TryGetValue(key, out value!);
    }

    private sealed class CelKeyComparer : IEqualityComparer<object>
    {
        public static readonly CelKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => (x, y) switch
        {
            (long a, ulong b) => a >= 0 && (ulong)a == b,
            (ulong a, long b) => b >= 0 && (ulong)b == a,
            _ => object.Equals(x, y),
        };

        public int GetHashCode(object obj) => obj switch
        {
            ulong u when u <= long.MaxValue => ((long)u).GetHashCode(),
            _ => obj.GetHashCode(),
        };
    }
}

/// <summary>
/// A CEL runtime error (langdef "Runtime errors"): overflow, division by zero, no such key or index,
/// no matching overload, a bad conversion. It aborts the evaluation unless a logical operator absorbs it.
/// </summary>
public sealed class CelEvaluationException : Exception
{
    /// <summary>Creates the error with a message a person can read.</summary>
    public CelEvaluationException(string message) : base(message) { }

    /// <summary>Creates the error with no message.</summary>
    public CelEvaluationException() { }

    /// <summary>Creates the error with its cause.</summary>
    public CelEvaluationException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A condition that does not parse or type-check, with where.</summary>
public sealed class CelException : Exception
{
    /// <summary>Creates the error; <paramref name="position"/> is the 0-based character offset.</summary>
    public CelException(string message, int position) : base(message) => Position = position;

    /// <summary>Creates the error at offset 0.</summary>
    public CelException() { }

    /// <summary>Creates the error at offset 0.</summary>
    public CelException(string message) : base(message) { }

    /// <summary>Creates the error at offset 0 with its cause.</summary>
    public CelException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the error at <paramref name="position"/> with its cause.</summary>
    public CelException(string message, int position, Exception inner) : base(message, inner) => Position = position;

    /// <summary>0-based character offset of the problem in the condition.</summary>
    public int Position { get; }
}
