using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// Turns an API's expiresAt-or-duration into an absolute expiry within the workspace maximum. A role that
/// reads data (<see cref="ProjectRoles.ReadsData"/>) always ends, no later than the maximum: the seed's
/// promise is access "for a limited time". Membership roles without data access may be open-ended.
/// </summary>
public static class ExpiryRules
{
    /// <summary>The expiry (UTC) for a new or changed binding of <paramref name="role"/>; null for an open-ended membership role.</summary>
    /// <param name="db">The metadata store, for the workspace maximum.</param>
    /// <param name="role">The binding's project role.</param>
    /// <param name="expiresAt">An absolute end, which must be in the future.</param>
    /// <param name="duration">An ISO 8601 duration counted from <paramref name="now"/>.</param>
    /// <param name="now">The current time.</param>
    /// <param name="ct">Cancels the settings read.</param>
    /// <exception cref="ApiProblem">400 <c>validation</c> for both or a malformed value; 400 <c>exceeds-maximum</c>
    /// when the access would last longer than the maximum, or a data-reading role is asked for with no end.</exception>
    public static async Task<DateTimeOffset?> ResolveAsync(JitGateDb db, string role, DateTimeOffset? expiresAt, string? duration, DateTimeOffset now, CancellationToken ct)
    {
        if (expiresAt is not null && duration is not null) throw ApiProblem.Validation("Give either expiresAt or duration, not both.");
        var max = await MaximumAsync(db, ct);
        if (duration is not null)
        {
            var span = Durations.Parse("duration", duration);
            if (span > max) throw ExceedsMaximum(max, $"duration {duration} is longer.");
            return now + span;
        }
        if (expiresAt is { } at)
        {
            if (at <= now) throw ApiProblem.Validation("expiresAt must be in the future.", new Dictionary<string, object?> { ["field"] = "expiresAt" });
            if (at - now > max) throw ExceedsMaximum(max, "expiresAt is further away than that.");
            return at.ToUniversalTime();
        }
        if (ProjectRoles.ReadsData(role))
        {
            throw ExceedsMaximum(max, $"{role} reads data, so its access must end: give a duration or an expiresAt.");
        }
        return null;
    }

    /// <summary>The longest access that may be granted now: the workspace maximum.</summary>
    public static Task<TimeSpan> MaximumAsync(JitGateDb db, CancellationToken ct) => WorkspaceSettingsStore.MaxAccessDurationAsync(db, ct);

    /// <summary>The 400 <c>exceeds-maximum</c> problem; <paramref name="why"/> says what was asked for.</summary>
    public static ApiProblem ExceedsMaximum(TimeSpan max, string why) =>
        new(400, "exceeds-maximum", "Longer than the maximum",
            $"Access may last at most {Durations.Format(max)} (the workspace maximum): {why}",
            new Dictionary<string, object?> { ["maxDuration"] = Durations.Format(max) });
}
