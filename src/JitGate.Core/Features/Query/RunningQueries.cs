using System.Collections.Concurrent;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Query;

/// <summary>
/// The queries running now, per user, so that revoking or expiring access also stops a query that
/// was admitted just before.
/// </summary>
public sealed class RunningQueries
{
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<CancellationTokenSource, byte>> _byUser = new();

    public IDisposable Register(long userId, CancellationTokenSource cts)
    {
        var set = _byUser.GetOrAdd(userId, _ => new());
        set[cts] = 0;
        return new Registration(set, cts);
    }

    public void EndFor(long userId)
    {
        if (!_byUser.TryGetValue(userId, out var set)) return;
        foreach (var cts in set.Keys)
        {
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }
    }

    public async Task EndForAsync(JitGateDb db, string principalType, long principalId, CancellationToken ct)
    {
        if (principalType == "user")
        {
            EndFor(principalId);
            return;
        }
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == principalId).Select(m => m.UserId).ToListAsync(ct);
        foreach (var user in members) EndFor(user);
    }

    private sealed class Registration(ConcurrentDictionary<CancellationTokenSource, byte> set, CancellationTokenSource cts) : IDisposable
    {
        public void Dispose() => set.TryRemove(cts, out _);
    }
}
