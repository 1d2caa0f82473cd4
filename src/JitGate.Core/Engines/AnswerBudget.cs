namespace JitGate.Core.Engines;

/// <summary>
/// Counts the bytes of an answer as it is read, by the JSON text its values become, so that a result is
/// bounded by bytes as well as rows (<see cref="QueryLimits.MaxBytes"/>).
/// </summary>
public sealed class AnswerBudget(long maxBytes)
{
    private long _used;

    /// <summary>Bytes counted so far.</summary>
    public long Used => _used;

    /// <summary>Counts a value of <paramref name="bytes"/> bytes of JSON text; false (and nothing counted) when it would cross the cap.</summary>
    public bool TryTake(long bytes)
    {
        if (bytes < 0 || _used + bytes > maxBytes) return false;
        _used += bytes;
        return true;
    }

    /// <summary>JSON size of a string of <paramref name="utf8Bytes"/> UTF-8 bytes: the text and its quotes.</summary>
    public static long Text(long utf8Bytes) => utf8Bytes + 3;

    /// <summary>JSON size of <paramref name="length"/> bytes of binary, written as base64 with its quotes.</summary>
    public static long Binary(long length) => ((length + 2) / 3 * 4) + 3;

    /// <summary>JSON size of a number, null or boolean: at most the 24 characters a double prints as.</summary>
    public const long Scalar = 25;
}
