using System.Data.Common;

namespace JitGate.Core.Persistence;

/// <summary>
/// Whether JitGate's own store can be written. A full or read-only disk is not a bug to report as an
/// internal error: the answer is 503 <c>store-unavailable</c> with Retry-After, readiness turns unhealthy
/// so a load balancer stops sending writes here, and start-up says plainly what is wrong.
/// </summary>
public sealed class StoreHealth(TimeProvider clock)
{
    /// <summary>How long readiness stays unhealthy after a write failed, unless a probe finds the store writable again sooner.</summary>
    public static readonly TimeSpan FailureMemory = TimeSpan.FromSeconds(10);

    private long _lastFailureTicks = long.MinValue;

    /// <summary>Why the last write failed; null when none did since the last success.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>True while a write failed less than <see cref="FailureMemory"/> ago.</summary>
    public bool RecentlyFailed => LastFailure is not null && clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastFailureTicks) < FailureMemory.Ticks;

    /// <summary>Records a failed write.</summary>
    public void Failed(string reason)
    {
        LastFailure = reason;
        Interlocked.Exchange(ref _lastFailureTicks, clock.GetUtcNow().UtcTicks);
    }

    /// <summary>Records that the store took a write again.</summary>
    public void Recovered() => LastFailure = null;

    /// <summary>
    /// Why <paramref name="exception"/> (or one it wraps) says the store cannot take writes: a full disk, a
    /// read-only file system or database, an I/O error on the store's files; null for any other failure.
    /// Codes: SQLite's result codes (FULL 13, READONLY 8, IOERR 10, CANTOPEN 14), PostgreSQL's SQLSTATE
    /// class 53 (insufficient resources: 53100 disk full) and 25006 (read-only transaction, a standby),
    /// and the OS's ENOSPC (28), EROFS (30) and EDQUOT (122).
    /// </summary>
    public static string? Unwritable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Microsoft.Data.Sqlite.SqliteException sqlite:
                    switch (sqlite.SqliteErrorCode & 0xff)
                    {
                        case 13: return "the disk is full";
                        case 8: return "the store is read-only";
                        case 10: return "the disk reported an I/O error";
                        case 14: return "the store's files cannot be opened for writing";
                    }
                    break;
                case Npgsql.PostgresException pg when pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState == "25006" || pg.SqlState == "58030":
                    return pg.SqlState == "25006" ? "the PostgreSQL store is read-only" : $"the PostgreSQL store cannot write ({pg.MessageText})";
                case IOException io when (io.HResult & 0xffff) is 28 or 30 or 122:
                    return (io.HResult & 0xffff) == 28 ? "the disk is full" : (io.HResult & 0xffff) == 30 ? "the file system is read-only" : "the disk quota is exhausted";
                case DbException:
                    break;
            }
        }
        return null;
    }
}
