using System.Globalization;
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

    /// <summary>A local date-time text as an HTML datetime-local input gives it, read as UTC.</summary>
    public string? CustomAt { get; set; }

    /// <summary>The duration or absolute expiry to send; an error message when the custom input is not usable.</summary>
    public (string? Duration, DateTimeOffset? ExpiresAt, string? Error) Resolve()
    {
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
        if (string.IsNullOrWhiteSpace(CustomAt)
            || !DateTime.TryParse(CustomAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return (null, null, "Pick a date and time.");
        }
        return (null, new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), null);
    }
}
