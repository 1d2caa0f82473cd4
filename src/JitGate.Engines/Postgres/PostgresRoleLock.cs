using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Serializes the work on JitGate roles across callers and replicas: a session-level advisory lock per
/// role, held on one admin connection of the role's database until disposed. Two reconciles, an expiry
/// and a credential issue on the same role would otherwise interleave their CREATE ROLE, ALTER ROLE and
/// GRANT statements, which PostgreSQL answers with a unique violation on <c>pg_authid_rolname_index</c>
/// or "tuple concurrently updated", and a rotated password could be overwritten by another caller's.
/// </summary>
/// <remarks>
/// Advisory locks live in the server and end with the session (PostgreSQL manual, "Advisory Locks"), so a
/// replica that dies while holding one frees it. Keys are (<see cref="LockClass"/>, hashtext(role name));
/// a hash collision only makes two roles wait for each other. Several roles are locked in key order, so
/// two callers locking overlapping sets cannot deadlock. Within one process, callers first take turns on
/// a striped local lock, so that only one of them at a time holds a connection while it waits for the server.
/// </remarks>
public sealed class PostgresRoleLock : IAsyncDisposable
{
    /// <summary>The first key of every JitGate role lock ("JG").</summary>
    public const int LockClass = 0x4A47;

    /// <summary>How long a caller waits for another's work on the same role before giving up.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private const int StripeCount = 128;
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, StripeCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private readonly NpgsqlConnection _connection;
    private readonly int[] _stripes;

    private PostgresRoleLock(NpgsqlConnection connection, int[] stripes)
    {
        _connection = connection;
        _stripes = stripes;
    }

    /// <summary>Waits until no other caller works on any of <paramref name="roleNames"/>, then holds them.</summary>
    /// <exception cref="EngineException">The database cannot be reached, or another caller held a role for longer than <see cref="WaitLimit"/>.</exception>
    public static async Task<PostgresRoleLock> AcquireAsync(EngineServer server, string database, IReadOnlyCollection<string> roleNames, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(roleNames);
        var stripes = roleNames.Select(r => (int)((uint)StringComparer.Ordinal.GetHashCode(r) % StripeCount)).Distinct().Order().ToArray();
        var taken = 0;
        try
        {
            for (; taken < stripes.Length; taken++)
            {
                if (!await Stripes[stripes[taken]].WaitAsync(WaitLimit, ct))
                {
                    throw new EngineException(
                        $"Another change to the same database role was still running after {WaitLimit.TotalSeconds:0} s; try again shortly.");
                }
            }
        }
        catch
        {
            Release(stripes, taken);
            throw;
        }

        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnections.OpenLockAsync(server, database, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            Release(stripes, stripes.Length);
            throw new EngineException($"Cannot connect to {server.Host}:{server.Port} database '{database}' as '{server.AdminUsername}': {ex.Message}", ex);
        }
        catch
        {
            Release(stripes, stripes.Length);
            throw;
        }

        try
        {
            // One round trip: the wait limit, other logins' claims on the keys ended, the locks in key order,
            // and the limit put back.
            var names = roleNames.Distinct(StringComparer.Ordinal).ToArray();
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"set lock_timeout = '{(int)WaitLimit.TotalMilliseconds}ms'"));
            var evict = new NpgsqlBatchCommand(EvictSql);
            evict.Parameters.Add(new NpgsqlParameter { Value = names });
            batch.BatchCommands.Add(evict);
            var take = new NpgsqlBatchCommand(
                $"select count(pg_advisory_lock({LockClass}, k)) from (select distinct hashtext(r) as k from unnest($1::text[]) r order by 1) keys");
            take.Parameters.Add(new NpgsqlParameter { Value = names });
            batch.BatchCommands.Add(take);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("reset lock_timeout"));
            await batch.ExecuteNonQueryAsync(ct);
            return new PostgresRoleLock(connection, stripes);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await connection.DisposeAsync();
            Release(stripes, stripes.Length);
            throw new EngineException(
                $"Another change to the same database role was still running after {WaitLimit.TotalSeconds:0} s; try again shortly.", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            Release(stripes, stripes.Length);
            throw;
        }
    }

    /// <summary>
    /// Ends every session of another login that holds, or waits for, one of the keys about to be taken.
    /// </summary>
    /// <remarks>
    /// pg_advisory_lock is open to every role and the keys follow from role names, so the holder of a
    /// JitGate login could otherwise take its own key in a native session and make the end of its access
    /// wait forever (each attempt gives up after <see cref="WaitLimit"/>). Only JitGate's admin login takes
    /// these keys, so any other session holding one is in the way; a waiting one is ended too, so that it
    /// cannot get the key ahead of JitGate. Superusers' sessions cannot be ended by the admin and are
    /// waited for as before; without pg_signal_backend (the README asks for it) nothing is ended.
    /// Advisory locks taken with two int4 keys show in pg_locks as classid, objid (unsigned) and objsubid 2.
    /// </remarks>
    private static readonly string EvictSql =
        $"""
        select count(pg_terminate_backend(a.pid))
        from pg_locks l
             join pg_stat_activity a on a.pid = l.pid
             join pg_roles r on r.oid = a.usesysid
        where l.locktype = 'advisory' and l.objsubid = 2 and l.classid = {LockClass}
          and l.database = (select oid from pg_database where datname = current_database())
          and l.objid::bigint in (select hashtext(n)::bigint & 4294967295 from unnest($1::text[]) n)
          and r.rolname <> current_user and not r.rolsuper
          and pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')
        """;

    private static void Release(int[] stripes, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Stripes[stripes[i]].Release();
        }
    }

    /// <summary>Releases every role this lock holds.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_connection.FullState == System.Data.ConnectionState.Open)
            {
                await using var command = new NpgsqlCommand("select pg_advisory_unlock_all()", _connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // A broken session has released its locks with it.
        }
        finally
        {
            await _connection.DisposeAsync();
            Release(_stripes, _stripes.Length);
        }
    }
}
