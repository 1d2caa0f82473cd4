using System.Text.RegularExpressions;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Lifecycle;

/// <summary>
/// Break-glass as a project allows it: who may break glass (by role), where (by environment), for how long
/// at most, and whether an incident must be named.
/// </summary>
/// <param name="Enabled">Off unless an owner or admin turns it on.</param>
/// <param name="Roles">Project roles that may be taken by breaking glass (sqlEditorUser).</param>
/// <param name="Environments">Environment ids where it may be used; empty: none.</param>
/// <param name="MaxDuration">The longest break-glass access (ISO 8601), one hour by default; never longer than the other maxima.</param>
/// <param name="RequireIncident">True when an incident (an open one in JitGate, or a reference) must be named.</param>
public sealed record BreakGlassSettings(bool Enabled, List<string> Roles, List<string> Environments, string MaxDuration, bool RequireIncident)
{
    /// <summary>One hour: emergency access is short.</summary>
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromHours(1);

    public static BreakGlassSettings Off { get; } = new(false, [ProjectRoles.SqlEditorUser], [], Durations.Format(DefaultMaxDuration), false);
}

/// <summary>A project's lifecycle settings, as <c>GET</c> and <c>PATCH /projects/{p}/settings</c> speak them.</summary>
public sealed record ProjectSettingsDto(bool AllowSelfApproval, string PendingRequestTtl, string? ReasonPattern, BreakGlassSettings BreakGlass, string IncidentGrace);

/// <summary>A change of project settings; what is left out stays as it is.</summary>
public sealed record UpdateProjectSettingsRequest(bool? AllowSelfApproval, string? PendingRequestTtl, string? ReasonPattern, BreakGlassSettings? BreakGlass, string? IncidentGrace);

/// <summary>
/// Reads and changes a project's lifecycle settings (project owners and workspace admins), and answers the
/// rules they make for every path that creates a request or breaks glass: the reason's pattern, how long a
/// request may wait, how long incident-bound access lasts after the incident.
/// </summary>
public sealed class ProjectSettings(JitGateDb db, Permissions permissions, AuditLog audit)
{
    /// <summary>One day: a request nobody decided by then is stale (the incident is over, or went elsewhere).</summary>
    public static readonly TimeSpan DefaultPendingRequestTtl = TimeSpan.FromDays(1);

    /// <summary>Settings of a project the actor is a member of.</summary>
    /// <exception cref="ApiProblem">404 for a project the actor cannot see.</exception>
    public async Task<ProjectSettingsDto> GetAsync(Actor actor, string projectId, CancellationToken ct) =>
        ToDto(await permissions.LoadProjectForMemberAsync(actor, projectId, ct));

    /// <summary>Changes the settings; the project's owners and workspace admins only.</summary>
    /// <exception cref="ApiProblem">403, 404; 400 naming the field that is malformed.</exception>
    public async Task<ProjectSettingsDto> UpdateAsync(Actor actor, string projectId, UpdateProjectSettingsRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        if (!actor.IsAdmin) await permissions.RequireProjectOwnerAsync(actor, projectId, ct);
        var project = await db.Projects.FirstAsync(p => p.Id == projectId, ct);
        var before = ToDto(project);
        if (request.AllowSelfApproval is { } self) project.AllowSelfApproval = self;
        if (request.PendingRequestTtl is { } ttl) project.PendingRequestTtl = Durations.Format(Durations.Parse("pendingRequestTtl", ttl));
        if (request.IncidentGrace is { } grace) project.IncidentGrace = grace == "PT0S" ? null : Durations.Format(Durations.Parse("incidentGrace", grace));
        if (request.ReasonPattern is { } pattern)
        {
            project.ReasonPattern = pattern.Length == 0 ? null : CheckPattern(pattern);
        }
        if (request.BreakGlass is { } breakGlass) project.BreakGlassJson = Json.Serialize(await CheckBreakGlassAsync(breakGlass, ct));
        audit.Add(db, actor, AuditActions.ProjectSettingsUpdate, $"projects/{projectId}/settings", AuditLog.Success, new { before, after = ToDto(project) });
        await db.SaveChangesAsync(ct);
        return ToDto(project);
    }

    /// <summary>The settings as the API answers them.</summary>
    public static ProjectSettingsDto ToDto(Project project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return new ProjectSettingsDto(project.AllowSelfApproval, Durations.Format(PendingTtl(project)), project.ReasonPattern, BreakGlassOf(project),
            Durations.Format(IncidentGraceOf(project)));
    }

    /// <summary>How long a request of the project may wait for a decision.</summary>
    public static TimeSpan PendingTtl(Project project) =>
        project.PendingRequestTtl is { } text && Durations.TryParse(text, out var ttl) ? ttl : DefaultPendingRequestTtl;

    /// <summary>How long access tied to an incident lasts after it resolves.</summary>
    public static TimeSpan IncidentGraceOf(Project project) =>
        project.IncidentGrace is { } text && Durations.TryParse(text, out var grace) ? grace : TimeSpan.Zero;

    /// <summary>The project's break-glass settings (off when never set).</summary>
    public static BreakGlassSettings BreakGlassOf(Project project) =>
        project.BreakGlassJson is { } json ? Json.Deserialize<BreakGlassSettings>(json) ?? BreakGlassSettings.Off : BreakGlassSettings.Off;

    /// <summary>Checks a reason against the project's pattern (when it has one), on every path that takes a reason.</summary>
    /// <exception cref="ApiProblem">400 <c>reason-pattern</c> naming <c>reason</c> and showing the pattern.</exception>
    public static void CheckReason(Project project, string reason)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (project.ReasonPattern is not { } pattern) return;
        if (!ReasonMatches(pattern, reason))
        {
            throw new ApiProblem(400, "reason-pattern", "Reason does not match the project's rule",
                $"In {project.Title} a reason must match {pattern} (a ticket or incident id, for example).",
                new Dictionary<string, object?> { ["field"] = "reason", ["pattern"] = pattern });
        }
    }

    /// <summary>
    /// True when <paramref name="reason"/> matches a project's reason <paramref name="pattern"/>, as every path
    /// that takes a reason checks it (the console asks the same before sending).
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not one .NET's linear-time engine reads (refused when saved, so only for a pattern saved by an older version).</exception>
    public static bool ReasonMatches(string pattern, string reason) => Regex(pattern).IsMatch(reason);

    // Linear-time matching: a pattern an owner writes must not let a reason take the server's time. It is
    // linear in the reason (at most 2,000 characters) and the pattern (at most 200), so no time limit: a
    // limit only turned a slow moment on a busy server into a refused request.
    private static Regex Regex(string pattern) =>
        new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, System.Text.RegularExpressions.Regex.InfiniteMatchTimeout);

    private static string CheckPattern(string pattern)
    {
        TextRules.Check("reasonPattern", pattern, multiLine: false);
        if (pattern.Length > 200) throw ApiProblem.Validation("reasonPattern may have at most 200 characters.", Field("reasonPattern"));
        try
        {
            _ = Regex(pattern);
            return pattern;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw ApiProblem.Validation($"reasonPattern is not a regular expression JitGate can use ({e.Message}).", Field("reasonPattern"));
        }
    }

    private async Task<BreakGlassSettings> CheckBreakGlassAsync(BreakGlassSettings settings, CancellationToken ct)
    {
        var roles = settings.Roles ?? [];
        foreach (var role in roles)
        {
            if (!ProjectRoles.ReadsData(role)) throw ApiProblem.Validation($"breakGlass.roles: only {ProjectRoles.SqlEditorUser} may be taken by breaking glass.", Field("breakGlass.roles"));
        }
        var environments = settings.Environments ?? [];
        var known = await db.Environments.AsNoTracking().Select(e => e.Id).ToListAsync(ct);
        foreach (var env in environments)
        {
            if (!known.Contains(env)) throw ApiProblem.Validation($"breakGlass.environments: no environment '{env}'.", Field("breakGlass.environments"));
        }
        var max = Durations.Parse("breakGlass.maxDuration", settings.MaxDuration ?? Durations.Format(BreakGlassSettings.DefaultMaxDuration));
        return new BreakGlassSettings(settings.Enabled, [.. roles.Distinct()], [.. environments.Distinct()], Durations.Format(max), settings.RequireIncident);
    }

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };
}
