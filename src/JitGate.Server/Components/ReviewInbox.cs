using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.BreakGlass;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Policy;

namespace JitGate.Server.Components;

/// <summary>
/// The break-glass reviews a person may decide: those of projects they own, or of every project for workspace
/// admins and DBAs (the reviewers <c>Permissions.RequireBreakGlassReviewerAsync</c> accepts), never their own.
/// </summary>
public static class ReviewInbox
{
    /// <summary>A review with its project, for the list and the navigation's count.</summary>
    public sealed record Entry(ProjectDto Project, BreakGlassReviewDto Review);

    /// <summary>Reviews of the projects the user reviews, open ones first (the use case's order), newest first within.</summary>
    public static async Task<List<Entry>> LoadAsync(ConsoleSession session, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var actor = await session.ActorAsync(ct);
        var projects = await session.CallAsync((Projects p, Actor a, CancellationToken c) => p.ListAsync(a, c), ct);
        var entries = new List<Entry>();
        foreach (var project in projects)
        {
            if (!actor.IsAdminOrDba && !(await session.ProjectRolesAsync(actor, project.Id, ct)).Contains(ProjectRoles.Owner)) continue;
            var reviews = await session.CallAsync((BreakGlassReviews r, Actor a, CancellationToken c) => r.ListAsync(a, project.Id, c), ct);
            entries.AddRange(reviews.Where(r => r.Holder != actor.Email).Select(r => new Entry(project, r)));
        }
        return entries.OrderBy(e => e.Review.Status == BreakGlassReviews.Open ? 0 : 1).ThenByDescending(e => e.Review.Overdue)
            .ThenByDescending(e => e.Review.OpenedAt).ToList();
    }

    /// <summary>How many reviews wait for the user's decision.</summary>
    public static async Task<(int Open, int Overdue)> CountAsync(ConsoleSession session, CancellationToken ct = default)
    {
        var open = (await LoadAsync(session, ct)).Where(e => e.Review.Status == BreakGlassReviews.Open).ToList();
        return (open.Count, open.Count(e => e.Review.Overdue));
    }
}
