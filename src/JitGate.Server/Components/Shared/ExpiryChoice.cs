using JitGate.Core.Common;

namespace JitGate.Server.Components.Shared;

/// <summary>The expiration a person picked: a preset, a custom relative duration, a custom absolute time, or never.</summary>
public sealed class ExpiryChoice
{
    public const string Never = "never";
    public const string Custom = "custom";

    public string Preset { get; set; } = "P1D";
    public bool CustomIsRelative { get; set; } = true;
    public int CustomAmount { get; set; } = 2;
    public string CustomUnit { get; set; } = "hours";

    /// <summary>A local date-time text as an HTML datetime-local input gives it, read in the browser's time zone.</summary>
    public string? CustomAt { get; set; }

    /// <summary>The duration or absolute expiry to send; an error message when the custom input is not usable.</summary>
    public (string? Duration, DateTimeOffset? ExpiresAt, string? Error) Resolve(BrowserTime zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (Preset == Never) return (null, null, null);
        if (Preset != Custom) return (Preset, null, null);
        if (CustomIsRelative)
        {
            if (CustomAmount <= 0) return (null, null, "Enter a positive number.");
            var span = CustomUnit switch
            {
                "minutes" => TimeSpan.FromMinutes(CustomAmount),
                "days" => TimeSpan.FromDays(CustomAmount),
                _ => TimeSpan.FromHours(CustomAmount),
            };
            return (Durations.Format(span), null, null);
        }
        return zone.FromInput(CustomAt) is { } at ? (null, at, null) : (null, null, "Pick a date and time.");
    }
}
