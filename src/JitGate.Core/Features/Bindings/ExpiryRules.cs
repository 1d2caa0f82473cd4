using JitGate.Core.Common;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Bindings;

/// <summary>Turns an API's expiresAt-or-duration into an absolute expiry within the workspace maximum.</summary>
public static class ExpiryRules
{
    public static async Task<DateTimeOffset?> ResolveAsync(JitGateDb db, DateTimeOffset? expiresAt, string? duration, DateTimeOffset now, CancellationToken ct)
    {
        if (expiresAt is not null && duration is not null) throw ApiProblem.Validation("Give either expiresAt or duration, not both.");
        var max = await WorkspaceSettingsStore.MaxAccessDurationAsync(db, ct);
        DateTimeOffset? result = null;
        if (duration is not null)
        {
            if (!Durations.TryParse(duration, out var span)) throw ApiProblem.Validation($"duration '{Truncate(duration)}' is not an ISO 8601 duration such as PT4H or P1D.");
            if (span <= TimeSpan.Zero) throw ApiProblem.Validation("duration must be positive.");
            if (span > max) throw TooLong(max);
            result = now + span;
        }
        else if (expiresAt is { } at)
        {
            if (at <= now) throw ApiProblem.Validation("expiresAt must be in the future.");
            if (at - now > max) throw TooLong(max);
            result = at.ToUniversalTime();
        }
        return result;
    }

    private static ApiProblem TooLong(TimeSpan max) =>
        ApiProblem.Validation($"Access may last at most {Durations.Format(max)} (the workspace maximum).",
            new Dictionary<string, object?> { ["maxDuration"] = Durations.Format(max) });

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
