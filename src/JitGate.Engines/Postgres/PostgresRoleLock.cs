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
            // One round trip: the wait limit, the locks in key order, and the limit put back; meanwhile
            // sessions of other logins holding or queued for a key are ended (PostgresBlockers).
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"set lock_timeout = '{(int)WaitLimit.TotalMilliseconds}ms'"));
            var take = new NpgsqlBatchCommand(
                $"select count(pg_advisory_lock({LockClass}, k)) from (select distinct hashtext(r) as k from unnest($1::text[]) r order by 1) keys");
            take.Parameters.Add(new NpgsqlParameter { Value = roleNames.Distinct(StringComparer.Ordinal).ToArray() });
            batch.BatchCommands.Add(take);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("reset lock_timeout"));
            await using (PostgresBlockers.Watch(server, database, connection))
            {
                await batch.ExecuteNonQueryAsync(ct);
            }
            return new PostgresRoleLock(connection, stripes);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await connection.DisposeAsync();
            Release(stripes, stripes.Length);
            throw new EngineException(
                $"Another change to the same database role was still running after {WaitLimit.TotalSeconds:0} s; try again shortly.", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            // Anything else the server answers (its lock table full: "out of shared memory") is still an answer
            // about this engine, for the caller to record and retry, not a crash of the pass.
            await connection.DisposeAsync();
            Release(stripes, stripes.Length);
            throw new EngineException($"Cannot take JitGate's lock on {roleNames.Count} role(s) in database '{database}': {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            Release(stripes, stripes.Length);
            throw;
        }
    }

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
