using System.Globalization;

namespace JitGate.Bench;

/// <summary>
/// The options after the suite name: a bare number (the suite's main count, as before), or
/// --name value pairs such as --requests 500, --seconds 20, --engine postgres.
/// </summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _named = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _positional = [];

    public BenchArgs(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null) _named[pending] = "true";
                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _named[pending] = arg;
                pending = null;
            }
            else
            {
                _positional.Add(arg);
            }
        }
        if (pending is not null) _named[pending] = "true";
    }

    /// <summary>--name value, or for <paramref name="positional"/> names the first bare number, or the default.</summary>
    public int Int(string name, int fallback, bool positional = false)
    {
        if (_named.TryGetValue(name, out var text)) return int.Parse(text, CultureInfo.InvariantCulture);
        if (positional && _positional.Count > 0) return int.Parse(_positional[0], CultureInfo.InvariantCulture);
        return fallback;
    }

    public double Double(string name, double fallback) =>
        _named.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => _named.GetValueOrDefault(name, fallback);

    public int[] Ints(string name, int[] fallback) => _named.TryGetValue(name, out var text)
        ? text.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray()
        : fallback;
}
