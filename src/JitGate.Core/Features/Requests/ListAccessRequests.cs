using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>One page of requests, newest first. <c>NextBefore</c> is the <c>before</c> of the next page; null on the last page.</summary>
public sealed record AccessRequestPage(List<AccessRequestDto> Items, long? NextBefore);

/// <summary>
/// Lists requests: a project's (its members see them), or across projects those the caller made or may decide now.
/// Pages run newest first by id: <c>before</c> (an id, exclusive) continues where a page ended, and the
/// caller's filter is applied while reading, so a page holds <c>limit</c> requests the caller may see
/// however many others come between them (10,000 pending for other approvers hide none of one's own), as
/// long as one call reads at most <see cref="MaxScan"/> rows; past that the page is shorter and its next
/// link goes on from there.
/// </summary>
public sealed class ListAccessRequests(JitGateDb db, Permissions permissions, TimeProvider clock)
{
    /// <summary>The most a page holds, and the size of a page when none is asked for.</summary>
    public const int MaxLimit = 1000;

    private const int ReadBatch = 500;

    /// <summary>
    /// Rows one call reads at most while filling a page. A caller who may see few of many requests gets a
    /// short (even empty) page with a next link from where the reading stopped, rather than one call that
    /// reads the whole table.
    /// </summary>
    public const int MaxScan = 5000;

    /// <summary>A page of a project's requests, optionally of one status.</summary>
    /// <exception cref="ApiProblem">404 for a project the caller is not a member of; 400 for an unknown status or a limit outside 1..1000.</exception>
    public async Task<AccessRequestPage> ForProjectPageAsync(Actor actor, string projectId, string? status, long? before, int? limit, CancellationToken ct)
    {
        await permissions.LoadProjectForMemberAsync(actor, projectId, ct);
        CheckStatus(status);
        var query = db.AccessRequests.AsNoTracking().Where(r => r.ProjectId == projectId);
        if (status is not null) query = query.Where(r => r.Status == status);
        return await PageAsync(query, before, limit, (_, _) => Task.FromResult(true), ct);
    }

    /// <summary>The first page (up to <see cref="MaxLimit"/>) of requests across projects.</summary>
    public async Task<List<AccessRequestDto>> AcrossProjectsAsync(Actor actor, string? filter, string? status, CancellationToken ct) =>
        (await AcrossProjectsPageAsync(actor, filter, status, null, null, ct)).Items;

    /// <summary>A page of requests across projects. filter: "mine" (made by the caller), "waitingForMe" (pending at a step the caller holds) or "all" (what the caller may see).</summary>
    /// <exception cref="ApiProblem">400 for an unknown filter or status, or a limit outside 1..1000.</exception>
    public async Task<AccessRequestPage> AcrossProjectsPageAsync(Actor actor, string? filter, string? status, long? before, int? limit, CancellationToken ct)
    {
        CheckStatus(status);
        filter ??= "all";
        if (filter is not ("mine" or "waitingForMe" or "all")) throw ApiProblem.Validation("filter must be mine, waitingForMe or all.");
        var query = db.AccessRequests.AsNoTracking().AsQueryable();
        if (filter == "mine") query = query.Where(r => r.RequesterId == actor.UserId);
        if (filter == "waitingForMe") query = query.Where(r => r.Status == RequestStatus.Pending && r.RequesterId != actor.UserId);
        if (status is not null) query = query.Where(r => r.Status == status);
        return await PageAsync(query, before, limit, async (r, token) =>
        {
            if (filter != "waitingForMe") return await permissions.CanSeeRequestAsync(actor, r, token);
            var step = r.Steps.OrderBy(s => s.Index).FirstOrDefault(s => s.Status == StepStatus.Pending);
            return step is not null && await permissions.HoldsApproverAsync(actor, r.ProjectId, step.Approver, token);
        }, ct);
    }

    /// <summary>Reads newest first in batches, keeping what <paramref name="shows"/> lets through, until the page is full or the rows end.</summary>
    private async Task<AccessRequestPage> PageAsync(
        IQueryable<AccessRequest> query, long? before, int? limit, Func<AccessRequest, CancellationToken, Task<bool>> shows, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit) throw ApiProblem.Validation($"limit must be between 1 and {MaxLimit}.");
        if (before is < 1) throw ApiProblem.Validation("before must be the id of a request (1 or more).");
        var size = limit ?? MaxLimit;
        var page = new List<AccessRequest>();
        var cursor = before;
        long? next = null;
        var scanned = 0;
        while (next is null)
        {
            var batch = cursor is { } c ? query.Where(r => r.Id < c) : query;
            var rows = await batch.Include(r => r.Steps).OrderByDescending(r => r.Id).Take(Math.Min(ReadBatch, MaxScan - scanned)).ToListAsync(ct);
            scanned += rows.Count;
            foreach (var row in rows)
            {
                if (!await shows(row, ct)) continue;
                if (page.Count == size)
                {
                    // One more the caller may see: the page is full and another follows it.
                    next = page[^1].Id;
                    break;
                }
                page.Add(row);
            }
            if (next is not null || rows.Count == 0 || (rows.Count < ReadBatch && scanned < MaxScan)) break;
            cursor = rows[^1].Id;
            if (scanned >= MaxScan)
            {
                // Read as much as one call may; the next page goes on from the last row read.
                next = cursor;
            }
        }
        var items = await AccessRequestMapper.ToDtosAsync(db, page, false, ct, clock.GetUtcNow());
        return new AccessRequestPage(items, next);
    }

    public async Task<AccessRequestDto> GetAsync(Actor actor, long requestId, CancellationToken ct) =>
        await AccessRequestMapper.ToDtoAsync(db, await permissions.LoadRequestAsync(requestId, actor, track: false, ct), true, ct, clock.GetUtcNow());

    private static void CheckStatus(string? status)
    {
        if (status is not null && !RequestStatus.All.Contains(status))
        {
            throw ApiProblem.Validation($"status must be one of {string.Join(", ", RequestStatus.All)}.");
        }
    }
}
