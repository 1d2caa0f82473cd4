using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Requests;

/// <summary>The checks shared by approve and reject: the request is pending and the actor holds its current step.</summary>
public sealed class RequestDecision(JitGateDb db, Permissions permissions)
{
    /// <summary>
    /// Loads the request for a decision, inside the caller's transaction. On PostgreSQL the request's row is
    /// locked first (SELECT … FOR UPDATE), so racing approvers take turns: the first decides, the next ones
    /// find the request decided (409). On SQLite the store already admits one writer at a time and the
    /// request's version settles any race.
    /// </summary>
    public async Task<(AccessRequest Request, ApprovalStep Step)> LoadForDecisionAsync(Actor actor, long requestId, CancellationToken ct)
    {
        await LockAsync(requestId, ct);
        var request = await permissions.LoadRequestAsync(requestId, actor, track: true, ct);
        if (request.Status != RequestStatus.Pending) throw ApiProblem.Conflict($"This request is {request.Status}; only a pending request can be approved or rejected.");
        var step = request.Steps.OrderBy(s => s.Index).First(s => s.Status == StepStatus.Pending);
        await permissions.RequireApproverAsync(actor, request, step, ct);
        return (request, step);
    }

    private const int StripeCount = 64;
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, StripeCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>
    /// Waits until no other decision on the same request runs in this process, and holds that turn until
    /// disposed. Deciders queue here, holding nothing, rather than each holding a pooled connection while
    /// waiting for the request's row lock: twelve waiters holding twelve connections would leave the one
    /// holding the lock none to finish with. Across replicas the row lock (<see cref="LockAsync"/>) still decides.
    /// </summary>
    public static async Task<IDisposable> TakeTurnAsync(long requestId, CancellationToken ct)
    {
        var stripe = Stripes[(int)((ulong)requestId % StripeCount)];
        await stripe.WaitAsync(ct);
        return new Turn(stripe);
    }

    private sealed class Turn(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) stripe.Release();
        }
    }

    /// <summary>Locks the request's row until the caller's transaction ends (PostgreSQL); nothing on SQLite.</summary>
    public async Task LockAsync(long requestId, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM access_requests WHERE \"Id\" = {requestId} FOR UPDATE", ct);
        }
    }

    /// <summary>
    /// True for a transaction PostgreSQL aborted because it collided with another (serialization failure
    /// 40001, deadlock 40P01): run again, it succeeds or finds the request decided.
    /// </summary>
    public static bool IsCollision(Exception e) =>
        (e as Npgsql.PostgresException ?? e.InnerException as Npgsql.PostgresException) is { SqlState: "40001" or "40P01" };

    /// <summary>The approver as a person reads it (<see cref="Permissions.DescribeApprover"/>).</summary>
    public static string Describe(string approver) => Permissions.DescribeApprover(approver);

    /// <summary>Saves a decision; a racing decision that committed first turns this one into a 409.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ApiProblem.Conflict("Someone else acted on this request at the same moment; reload it.");
        }
    }
}
