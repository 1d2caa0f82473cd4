using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// <c>matches</c> with RE2 semantics: the pattern is translated by <see cref="Re2Translator"/> and run by
/// .NET's non-backtracking engine, whose time is linear in the input, so no pattern can hang a request.
/// A literal pattern is compiled when the condition is; others are compiled on first use and cached.
/// </summary>
internal static class CelRegex
{
    private const int CacheLimit = 256;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled pattern; throws <see cref="Re2Exception"/> when RE2 would refuse it.</summary>
    public static Regex Compile(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached)) return cached;
        string translated;
        try
        {
            translated = Re2Translator.Translate(pattern);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            throw new Re2Exception("invalid pattern", 0);
        }
        Regex regex;
        try
        {
            regex = new Regex(translated, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException e)
        {
            throw new Re2Exception($"the pattern cannot be run in linear time ({e.Message})", 0);
        }
        catch (ArgumentException)
        {
            throw new Re2Exception("invalid pattern", 0);
        }
        if (Cache.Count >= CacheLimit) Cache.Clear();
        Cache[pattern] = regex;
        return regex;
    }

    /// <summary>Whether any part of the text matches; an invalid pattern is an evaluation error.</summary>
    public static bool Matches(string text, string pattern)
    {
        Regex regex;
        try
        {
            regex = Compile(pattern);
        }
        catch (Re2Exception e)
        {
            throw new CelEvaluationException($"invalid regular expression at offset {e.Position}: {e.Message}");
        }
        return regex.IsMatch(text);
    }
}
