using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// When the next binding starts or runs out, so the background pass that records it can wake at that
/// instant rather than on its next one-second tick: a scheduled window's logins get their grants, and an
/// expired one's lose them, within the time the pass itself takes (the lifecycle issue asks for a second).
/// </summary>
public sealed class NextAccessChange(JitGateDb db, TimeProvider clock)
{
    /// <summary>
    /// The earliest start or expiry that no pass has recorded yet, from <paramref name="horizon"/> ago to
    /// <paramref name="horizon"/> ahead; null when there is none. One that fell due while the last pass ran
    /// is returned too, in the past, so the caller runs the pass again at once: otherwise it would wait for
    /// the next tick, up to <paramref name="horizon"/> late.
    /// </summary>
    public async Task<DateTimeOffset?> WithinAsync(TimeSpan horizon, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = now - horizon;
        var until = now + horizon;
        var start = await db.Bindings.AsNoTracking()
            .Where(b => b.RevokedAt == null && b.StartRecordedAt == null && b.StartsAt != null && b.StartsAt > since && b.StartsAt <= until)
            .OrderBy(b => b.StartsAt).Select(b => b.StartsAt).FirstOrDefaultAsync(ct);
        var expiry = await db.Bindings.AsNoTracking()
            .Where(b => b.RevokedAt == null && b.ExpiryRecordedAt == null && b.ExpiresAt != null && b.ExpiresAt > since && b.ExpiresAt <= until)
            .OrderBy(b => b.ExpiresAt).Select(b => b.ExpiresAt).FirstOrDefaultAsync(ct);
        return (start, expiry) switch
        {
            ({ } s, { } e) => s < e ? s : e,
            ({ } s, null) => s,
            (null, { } e) => e,
            _ => null,
        };
    }
}
