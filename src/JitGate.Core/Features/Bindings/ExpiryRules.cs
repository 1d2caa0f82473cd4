using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>When access starts and ends: an optional start (a scheduled window) and an end.</summary>
/// <param name="StartsAt">UTC start; null: at once.</param>
/// <param name="ExpiresAt">UTC end; null only for membership roles without data access.</param>
public sealed record AccessWindow(DateTimeOffset? StartsAt, DateTimeOffset? ExpiresAt);

/// <summary>The longest access that may be granted, and where that limit comes from (for messages).</summary>
public sealed record AccessMaximum(TimeSpan Value, string Source);

/// <summary>
/// Turns an API's startsAt and expiresAt-or-duration into a window within the maximum that applies: the
/// shortest of the workspace maximum and the maxima of the environments the access reaches. A role that
/// reads data (<see cref="ProjectRoles.ReadsData"/>) always ends: the seed's promise is access "for a
/// limited time". Membership roles without data access may be open-ended. A duration counts from the
/// start when there is one.
/// </summary>
public static class ExpiryRules
{
    /// <summary>How far ahead a window may start.</summary>
    public static readonly TimeSpan LatestStart = TimeSpan.FromDays(366);

    /// <summary>The window (UTC) for a new or changed binding or request of <paramref name="role"/>.</summary>
    /// <exception cref="ApiProblem">400 <c>validation</c> for both expiresAt and duration, a malformed value, a start or end
    /// in the past, or an end before the start; 400 <c>exceeds-maximum</c> when the access would last longer than
    /// <paramref name="max"/>, or a data-reading role is asked for with no end.</exception>
    public static AccessWindow Resolve(string role, DateTimeOffset? startsAt, DateTimeOffset? expiresAt, string? duration, DateTimeOffset now, AccessMaximum max)
    {
        ArgumentNullException.ThrowIfNull(max);
        if (expiresAt is not null && duration is not null) throw ApiProblem.Validation("Give either expiresAt or duration, not both.");
        if (startsAt is { } s)
        {
            if (s <= now) throw ApiProblem.Validation("startsAt must be in the future; leave it out for access that starts at once.", Field("startsAt"));
            if (s - now > LatestStart) throw ApiProblem.Validation($"startsAt may be at most {Durations.Format(LatestStart)} ahead.", Field("startsAt"));
        }
        var start = startsAt?.ToUniversalTime();
        var from = start ?? now;
        if (duration is not null)
        {
            var span = Durations.Parse("duration", duration);
            if (span > max.Value) throw ExceedsMaximum(max, $"duration {duration} is longer.");
            return new AccessWindow(start, from + span);
        }
        if (expiresAt is { } at)
        {
            if (at <= now) throw ApiProblem.Validation("expiresAt must be in the future.", Field("expiresAt"));
            if (at <= from) throw ApiProblem.Validation("expiresAt must be after startsAt.", Field("expiresAt"));
            if (at - from > max.Value) throw ExceedsMaximum(max, "expiresAt is further away than that.");
            return new AccessWindow(start, at.ToUniversalTime());
        }
        if (ProjectRoles.ReadsData(role))
        {
            throw ExceedsMaximum(max, $"{role} reads data, so its access must end: give a duration or an expiresAt.");
        }
        return new AccessWindow(start, null);
    }

    /// <summary>As <see cref="Resolve"/> with the maximum for the project and scope, answering the end alone (no start).</summary>
    public static async Task<DateTimeOffset?> ResolveAsync(JitGateDb db, string? projectId, BindingScope? scope, string role, DateTimeOffset? expiresAt, string? duration, DateTimeOffset now, CancellationToken ct) =>
        Resolve(role, null, expiresAt, duration, now, await MaximumForAsync(db, projectId, scope, ct)).ExpiresAt;

    /// <summary>The workspace maximum alone.</summary>
    public static async Task<AccessMaximum> MaximumAsync(JitGateDb db, CancellationToken ct) =>
        new(await WorkspaceSettingsStore.MaxAccessDurationAsync(db, ct), "the workspace maximum");

    /// <summary>
    /// The maximum that applies to access in <paramref name="projectId"/> (every project for a workspace
    /// binding) reaching <paramref name="scope"/> (every database of the project when null): the shortest of
    /// the workspace maximum and the maximum of each environment whose databases it reaches.
    /// </summary>
    public static async Task<AccessMaximum> MaximumForAsync(JitGateDb db, string? projectId, BindingScope? scope, CancellationToken ct)
    {
        var max = await MaximumAsync(db, ct);
        var named = scope?.DatabaseIds().ToList();
        var environments = await db.Databases.AsNoTracking()
            .Where(d => named == null ? projectId == null || d.ProjectId == projectId : named.Contains(d.Id))
            .Select(d => d.EnvironmentId).Distinct()
            .Join(db.Environments.AsNoTracking(), id => id, e => e.Id, (_, e) => new { e.Name, e.MaxAccessDuration })
            .ToListAsync(ct);
        foreach (var environment in environments)
        {
            if (environment.MaxAccessDuration is { } text && Durations.TryParse(text, out var limit) && limit < max.Value)
            {
                max = new AccessMaximum(limit, $"the {environment.Name} environment's maximum");
            }
        }
        return max;
    }

    /// <summary>The 400 <c>exceeds-maximum</c> problem; <paramref name="why"/> says what was asked for.</summary>
    public static ApiProblem ExceedsMaximum(AccessMaximum max, string why)
    {
        ArgumentNullException.ThrowIfNull(max);
        return new(400, "exceeds-maximum", "Longer than the maximum",
            $"Access may last at most {Durations.Format(max.Value)} ({max.Source}): {why}",
            new Dictionary<string, object?> { ["maxDuration"] = Durations.Format(max.Value) });
    }

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };
}
