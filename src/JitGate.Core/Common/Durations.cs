using System.Xml;

namespace JitGate.Core.Common;

/// <summary>ISO 8601 durations (PT4H, P1D) as the API speaks them.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40) return false;
        try
        {
            value = XmlConvert.ToTimeSpan(text.Trim());
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            value = TimeSpan.MaxValue;
            return true;
        }
    }

    public static string Format(TimeSpan value) => XmlConvert.ToString(value);
}
