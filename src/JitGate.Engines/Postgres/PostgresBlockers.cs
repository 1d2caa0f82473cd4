using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Watches one of JitGate's admin sessions while it works on roles, and ends the sessions of ordinary
/// logins that keep it waiting. A JitGate login's holder can take locks that JitGate's own statements then
/// wait for: its role's advisory lock key (advisory locks are open to every role), or its own row of
/// pg_authid through <c>ALTER ROLE CURRENT_USER PASSWORD ...</c> in a transaction left open, which a
/// role may run on itself. Waiting would let access outlive its end; so once the watched session has
/// worked for <see cref="Grace"/>, every <see cref="Every"/> the sessions in <c>pg_blocking_pids</c> of it
/// (holders and earlier waiters of what it waits for) are ended.
/// </summary>
/// <remarks>
/// Only sessions of a JitGate login, or of another ordinary login that holds or waits for one of JitGate's
/// role lock keys, are ended; never a superuser's, a CREATEROLE login's (JitGate's admin, a DBA, another
/// JitGate's admin: JitGate logins are always NOCREATEROLE) or the admin login's own. Any other lock is
/// waited for up to the statement's own limits, as before. The watch
/// is best effort: when it cannot connect, or the admin lacks pg_signal_backend (which the README asks
/// for), nothing is ended and the work fails on its own time limits instead.
/// </remarks>
internal sealed class PostgresBlockers : IAsyncDisposable
{
    /// <summary>How long the watched session works before the watch connects; most work is done by then.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the watch looks for blockers once it has started.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(50);

    // The two kinds of blocker a login's holder can be: a session of a JitGate login (its own pg_authid
    // row, a key), or a session of any other ordinary login holding or queued for a JitGate key. Anything
    // else (a DBA's migration holding a table's catalog row, an application) is waited for.
    // The select list, and so pg_terminate_backend, runs only for rows that passed every condition; the
    // materialized CTE keeps the outer filter from being planned into it.
    private static readonly string EndBlockersSql =
        $"""
        with ended as materialized (
        select a.pid, r.rolname::text as login, pg_catalog.pg_terminate_backend(a.pid) as done
        from unnest(pg_catalog.pg_blocking_pids($1)) as b(pid)
             join pg_catalog.pg_stat_activity a on a.pid = b.pid
             join pg_catalog.pg_roles r on r.oid = a.usesysid
        where not r.rolsuper and not r.rolcreaterole and r.rolname <> current_user
          and pg_catalog.pg_has_role(current_user, 'pg_signal_backend', 'USAGE')
          and (r.rolname ~ '{PostgresRoleName.PatternText}'
               or exists (select 1 from pg_catalog.pg_locks l
                          where l.pid = a.pid and l.locktype = 'advisory' and l.objsubid = 2
                            and l.classid = {PostgresRoleLock.LockClass}
                            and l.database = (select oid from pg_catalog.pg_database where datname = current_database()))))
        select pid, login from ended where done
        """;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PostgresBlockers(EngineServer server, string database, int pid) =>
        _loop = RunAsync(server, database, pid, _stop.Token);

    /// <summary>Starts watching <paramref name="connection"/> (open, an admin session on <paramref name="database"/>) until disposed.</summary>
    public static PostgresBlockers Watch(EngineServer server, string database, NpgsqlConnection connection) =>
        new(server, database, connection.ProcessID);

    // Runs in the flow that started the watch, so what it reports reaches that change's collector.
    private static async Task RunAsync(EngineServer server, string database, int pid, CancellationToken ct)
    {
        try
        {
            await Task.Delay(Grace, ct);
            await using var watcher = await PostgresConnections.OpenWatchAsync(server, database, ct);
            // Not cancelled once sent (sessions it ends must reach the audit), so bounded instead: a stalled
            // server must not hold the watched work's end for the driver's default 30 s.
            await using var command = new NpgsqlCommand(EndBlockersSql, watcher) { CommandTimeout = 5 };
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
            // A signalled session may take a moment to go, and is signalled again meanwhile: reported once.
            var reported = new HashSet<int>();
            while (true)
            {
                await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
                {
                    while (await reader.ReadAsync(CancellationToken.None))
                    {
                        if (reported.Add(reader.GetInt32(0)))
                        {
                            EndedBlockers.Report(new EndedBlocker(server.Host, server.Port, database, reader.GetString(1), reader.GetInt32(0)));
                        }
                    }
                }

                await Task.Delay(Every, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The watched work is done.
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // Best effort, as the remarks say: the watched work keeps its own time limits.
        }
    }

    /// <summary>Stops the watch and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
