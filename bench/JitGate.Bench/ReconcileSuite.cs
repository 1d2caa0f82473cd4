using System.Diagnostics;
using System.Globalization;
using JitGate.Core.Engines;
using JitGate.Engines.Postgres;
using Npgsql;

namespace JitGate.Bench;

/// <summary>
/// The PostgreSQL reconciler against a throwaway cluster: a database with 100 tables, the non-superuser
/// instance admin with grant options, and N JitGate roles (one binding each, 1–10 tables each).
/// (a) one ReconcileAsync pass from nothing; (b) the same pass when nothing changed; (c) expiry: every
/// role's credential runs out at once while it holds an open session, until no role has privileges or
/// sessions: once through EndAccessManyAsync (what the reconciler does), once through EndAccessAsync per
/// role with a bounded degree of parallelism, each on its own admin connection, for comparison.
/// Options: --roles N (1000), --tables N (100), --parallel N (5), --all (adds the unchanged pass in
/// parallel and expiry through ReconcileAsync(Nothing)), --sessions N (every role), --no-compare, --batched-setup
/// (roles and grants written by the admin in batches instead of (a) and (b), for 10,000 roles), --spread-seconds S
/// ((d): expiries spread over S seconds, ended tick by tick as the reconciler does). About a
/// minute on 2 cores with the defaults.
/// </summary>
internal static class ReconcileSuite
{
    private const string Database = "bench_reconcile";
    private const string AdminName = "jitgate_admin";
    private const string AdminPassword = "admin-Secret-1";
    private const string RolePrefix = "jit_b";

    public static async Task RunAsync(string[] args)
    {
        var roles = Option(args, "--roles", 1000);
        var tables = Option(args, "--tables", 100);
        // PostgresConnections pools at most 5 admin connections per server and database, so more
        // than 5 workers would only queue for a connection.
        var parallel = Option(args, "--parallel", 5);
        // --all adds the unchanged pass in parallel and expiry through ReconcileAsync(Nothing).
        var all = args.Contains("--all");
        // --sessions N: only the first N roles hold an open session at expiry (each session is a server
        // process; 10,000 of them do not fit a small machine). --no-compare skips the per-role expiry path.
        var withSessions = Math.Min(roles, Option(args, "--sessions", roles));
        var compare = !args.Contains("--no-compare");
        // --batched-setup: the roles and grants written in batches by the admin instead of passes (a) and (b).
        var batchedSetup = args.Contains("--batched-setup");
        // --spread-seconds S: (d) the roles' expiries spread evenly over S seconds, ended as the reconciler's
        // one-second tick does (every role due, in calls of at most 1,000 under their locks).
        var spread = Option(args, "--spread-seconds", 0);
        Console.WriteLine(Machine.Line());
        Console.WriteLine($"reconcile: {roles} roles ({withSessions} with an open session at expiry), {tables} tables, 1-10 tables per role, parallel {parallel}");

        await using var cluster = PgScratchCluster.Start(withSessions + 60);
        if (cluster is null)
        {
            Console.WriteLine($"skipped: PostgreSQL 15 binaries not found in {PgScratchCluster.BinDirectory}");
            return;
        }

        var clock = Stopwatch.StartNew();
        await SetUpAsync(cluster, tables);
        var server = new EngineServer("127.0.0.1", cluster.Port, AdminName, AdminPassword);
        var plan = Plan(roles, tables);
        Console.WriteLine($"setup: cluster and {tables} tables in {clock.Elapsed.TotalSeconds:0.0} s; "
            + $"{plan.Sum(p => p.Tables.Count)} table grants planned");
        var validUntil = DateTimeOffset.UtcNow.AddHours(1);
        Task<RoleReport> Grant(RolePlan p) => PostgresAccess.ReconcileAsync(
            server, Database, p.Role, p.Password, ReadGrant.Tables(p.Tables), validUntil, CancellationToken.None);

        if (batchedSetup)
        {
            // The roles and their grants written in batches as the admin, for sizes where (a), one role at
            // a time, takes too long to wait for: the state (c) starts from is the same.
            await CreateBatchedAsync(cluster, plan);
            await RestoreBatchedAsync(cluster, plan, validUntil);
        }
        else
        {
            // (a) From nothing, one role after another as the reconciler's pass does: creates every role
            // and grants CONNECT, USAGE and its tables.
            var first = await TimeAsync(plan, 1, Grant);
            Report("(a) first pass, sequential", first, $"{first.Reports.Count(r => r.RoleCreated)} roles created, "
                + $"{first.Reports.Sum(r => r.Granted.Count)} privileges granted");

            // (b) Nothing changed: reads back, sets the password again, changes nothing.
            var again = await TimeAsync(plan, 1, Grant);
            Report("(b) unchanged pass, sequential", again, $"{again.Reports.Count(r => r.Changed)} roles changed");
        }

        if (all && !batchedSetup)
        {
            var againParallel = await TimeAsync(plan, parallel, Grant);
            Report($"(b) unchanged pass, parallel {parallel}", againParallel, $"{againParallel.Reports.Count(r => r.Changed)} roles changed");
        }

        // (c) Expiry, the way the reconciler ends native credentials that ran out in the same second:
        // one EndAccessManyAsync call for every role (NOLOGIN, one REVOKE per object, every session
        // signalled then waited for, read back). The call returns only once its own read-back found no
        // privilege and no session left, so its duration is the expiry lag the engine adds.
        // The reconciler holds every role of the batch (PostgresRoleLock) around the call, so that is timed too.
        var sessions = await OpenSessionsAsync(cluster, plan.Take(withSessions).ToList());
        clock.Restart();
        var names = plan.Select(p => p.Role).ToList();
        EndRolesReport many;
        TimeSpan lockTime;
        await using (await PostgresRoleLock.AcquireAsync(server, Database, names, CancellationToken.None))
        {
            lockTime = clock.Elapsed;
            many = await PostgresAccess.EndAccessManyAsync(server, Database, names, CancellationToken.None);
        }
        var manyTime = clock.Elapsed;
        var afterMany = await StateAsync(cluster, includeConnect: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(c) expiry, role locks + EndAccessManyAsync, 1 call: total {manyTime.TotalSeconds:0.000} s (target <= 2 s; locks {lockTime.TotalSeconds:0.000} s), "
            + $"{manyTime.TotalMilliseconds / plan.Count:0.00} ms per role; {many.RolesEnded.Count} roles ended, "
            + $"{many.Roles.Values.Sum(r => r.Revoked.Count)} privileges revoked, {many.SessionsEnded} sessions ended; "
            + $"{afterMany}"));
        await CloseAsync(sessions);

        if (spread > 0)
        {
            await RestoreBatchedAsync(cluster, plan, validUntil);
            sessions = await OpenSessionsAsync(cluster, plan.Take(withSessions).ToList());
            await SpreadExpiryAsync(server, plan, TimeSpan.FromSeconds(spread));
            Console.WriteLine($"    {await StateAsync(cluster, includeConnect: true)}");
            await CloseAsync(sessions);
        }

        if (!compare) return;

        // (c) for comparison, the per-role path: EndAccessAsync for each role, a few at once.
        await RestoreBatchedAsync(cluster, plan, validUntil);
        sessions = await OpenSessionsAsync(cluster, plan);
        var ended = await TimeAsync(plan, parallel, p => PostgresAccess.EndAccessAsync(server, Database, p.Role, CancellationToken.None));
        Report($"(c) expiry, EndAccessAsync per role, parallel {parallel}", ended,
            $"{ended.Reports.Sum(r => r.SessionsTerminated)} sessions ended; {await StateAsync(cluster, includeConnect: true)}");
        await CloseAsync(sessions);

        if (all)
        {
            // (c') Expiry as ReconcileAsync(ReadGrant.Nothing), the query-role path: tables and schema
            // revoked, CONNECT and the login kept, sessions ended.
            await RestoreBatchedAsync(cluster, plan, validUntil);
            sessions = await OpenSessionsAsync(cluster, plan);
            var nothing = await TimeAsync(plan, parallel, p => PostgresAccess.ReconcileAsync(
                server, Database, p.Role, p.Password, ReadGrant.Nothing, null, CancellationToken.None));
            Report($"(c') expiry, ReconcileAsync(Nothing), parallel {parallel}", nothing,
                $"{nothing.Reports.Sum(r => r.SessionsTerminated)} sessions ended; {await StateAsync(cluster, includeConnect: false)}");
            await CloseAsync(sessions);
        }
    }

    /// <summary>
    /// (d) Each role expires at its own moment, evenly spread over <paramref name="over"/>; every second,
    /// as the reconciler's tick, the roles that are due are ended in calls of at most 1,000 (the default
    /// JitGate__EngineEndBatchSize), each under the roles' locks. A role's lag is from its expiry to the
    /// end of the call that ended it, whose read-back found it without privileges or sessions.
    /// </summary>
    private static async Task SpreadExpiryAsync(EngineServer server, List<RolePlan> plan, TimeSpan over)
    {
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        double DueAt(int i) => (i + 1) * over.TotalSeconds / plan.Count;
        var lags = new List<double>(plan.Count);
        var next = 0;
        var calls = 0;
        var tick = TimeSpan.Zero;
        while (next < plan.Count)
        {
            tick += TimeSpan.FromSeconds(1);
            var wait = tick - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var now = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var due = new List<int>();
            while (next < plan.Count && DueAt(next) <= now) due.Add(next++);
            foreach (var chunk in due.Chunk(1000))
            {
                var names = chunk.Select(i => plan[i].Role).ToList();
                await using (await PostgresRoleLock.AcquireAsync(server, Database, names, CancellationToken.None))
                {
                    await PostgresAccess.EndAccessManyAsync(server, Database, names, CancellationToken.None);
                }
                calls++;
                var ended = Stopwatch.GetElapsedTime(start).TotalSeconds;
                lags.AddRange(chunk.Select(i => (ended - DueAt(i)) * 1000));
            }
        }

        lags.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(d) expiry spread over {over.TotalSeconds:0} s ({plan.Count / over.TotalSeconds:0} roles a second), {calls} calls: "
            + $"expiry -> ended median {Percentile([.. lags], 0.5):0} ms, p95 {Percentile([.. lags], 0.95):0} ms, max {lags[^1]:0} ms "
            + $"(target: every role within 2,000 ms: {(lags[^1] <= 2000 ? "met" : "MISSED")})"));
    }

    private sealed record RolePlan(string Role, string Password, List<TableRef> Tables);

    private sealed record Timed<T>(TimeSpan Total, double[] Milliseconds, List<T> Reports, int Retries);

    private static List<RolePlan> Plan(int roles, int tables)
    {
        var random = new Random(1);
        var plan = new List<RolePlan>(roles);
        for (var i = 1; i <= roles; i++)
        {
            var count = Math.Min(tables, 1 + random.Next(10));
            var chosen = new SortedSet<int>();
            while (chosen.Count < count)
            {
                chosen.Add(1 + random.Next(tables));
            }

            plan.Add(new RolePlan(
                string.Create(CultureInfo.InvariantCulture, $"{RolePrefix}{i:D5}"),
                string.Create(CultureInfo.InvariantCulture, $"bench-Pass-{i}"),
                chosen.Select(t => new TableRef("public", TableName(t))).ToList()));
        }

        return plan;
    }

    private static string TableName(int index) => string.Create(CultureInfo.InvariantCulture, $"t{index:D3}");

    private static async Task SetUpAsync(PgScratchCluster cluster, int tables)
    {
        await cluster.ExecuteAsSuperuserAsync("postgres", $"CREATE DATABASE {Database}");
        await cluster.ExecuteAsSuperuserAsync(Database, Enumerable.Range(1, tables).Select(t =>
            $"CREATE TABLE public.{TableName(t)} (id int PRIMARY KEY, label text NOT NULL); INSERT INTO public.{TableName(t)} VALUES (1, 'row')"));
        // The instance admin exactly as the engine README asks a DBA to create it: no superuser.
        await cluster.ExecuteAsSuperuserAsync(Database,
            $"CREATE ROLE {AdminName} LOGIN CREATEROLE PASSWORD '{AdminPassword}'",
            $"GRANT pg_signal_backend TO {AdminName}",
            $"REVOKE CONNECT ON DATABASE {Database} FROM PUBLIC",
            $"GRANT CONNECT ON DATABASE {Database} TO {AdminName} WITH GRANT OPTION",
            $"GRANT USAGE ON SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {AdminName} WITH GRANT OPTION");
    }

    /// <summary>Runs <paramref name="work"/> for every role, at most <paramref name="parallel"/> at once.</summary>
    /// <remarks>
    /// PostgreSQL fails a GRANT or REVOKE with "tuple concurrently updated" (XX000) when another session
    /// changes the same object's ACL at the same moment, which parallel roles sharing tables do. Every
    /// engine operation is idempotent, so the role is simply run again; the retries are counted.
    /// </remarks>
    private static async Task<Timed<T>> TimeAsync<T>(List<RolePlan> plan, int parallel, Func<RolePlan, Task<T>> work)
    {
        var milliseconds = new double[plan.Count];
        var reports = new T[plan.Count];
        var retries = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    reports[i] = await work(plan[i]);
                    break;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InternalError
                                                   && ex.MessageText.Contains("concurrently", StringComparison.Ordinal) && attempt < 20)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(Random.Shared.Next(1, 10), ct);
                }
            }

            milliseconds[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        });
        return new Timed<T>(clock.Elapsed, milliseconds, [.. reports], retries);
    }

    private static void Report<T>(string label, Timed<T> timed, string detail)
    {
        var sorted = timed.Milliseconds.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: total {timed.Total.TotalSeconds:0.000} s, {timed.Total.TotalMilliseconds / sorted.Length:0.00} ms per role "
            + $"(one role: median {Percentile(sorted, 0.5):0.00} ms, p99 {Percentile(sorted, 0.99):0.00} ms); {detail}"
            + $"{(timed.Retries > 0 ? $"; {timed.Retries} retries after 'tuple concurrently updated'" : "")}"));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>One open session per role, each having read one of its tables.</summary>
    private static async Task<NpgsqlConnection[]> OpenSessionsAsync(PgScratchCluster cluster, List<RolePlan> plan)
    {
        var clock = Stopwatch.StartNew();
        var sessions = new NpgsqlConnection[plan.Count];
        await Parallel.ForAsync(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var connection = new NpgsqlConnection(cluster.LoginConnectionString(Database, plan[i].Role, plan[i].Password));
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"select count(*) from public.{plan[i].Tables[0].Name}", connection);
            await command.ExecuteScalarAsync(ct);
            sessions[i] = connection;
        });
        var open = await cluster.ScalarAsSuperuserAsync<long>("postgres",
            $"select count(*) from pg_stat_activity where usename like '{RolePrefix}%'");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {open} sessions open (one per role, each read a granted table) in {clock.Elapsed.TotalSeconds:0.0} s"));
        return sessions;
    }

    private static async Task CloseAsync(NpgsqlConnection[] sessions)
    {
        foreach (var session in sessions)
        {
            try
            {
                await session.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Terminated by the server: already gone.
            }
        }
    }

    /// <summary>Sessions and privileges the bench roles still have, read as the superuser.</summary>
    private static async Task<string> StateAsync(PgScratchCluster cluster, bool includeConnect)
    {
        var sessions = await cluster.ScalarAsSuperuserAsync<long>(Database,
            $"select count(*) from pg_stat_activity where usename like '{RolePrefix}%'");
        var privileges = await cluster.ScalarAsSuperuserAsync<long>(Database,
            $"""
            with r as (select oid from pg_roles where rolname like '{RolePrefix}%')
            select (select count(*) from pg_class c, aclexplode(c.relacl) a where a.grantee in (select oid from r))
                 + (select count(*) from pg_namespace n, aclexplode(n.nspacl) a where a.grantee in (select oid from r))
                 + (select count(*) from pg_database d, aclexplode(d.datacl) a
                    where d.datname = current_database() and a.grantee in (select oid from r) and {(includeConnect ? "true" : "a.privilege_type <> 'CONNECT'")})
            """);
        var logins = await cluster.ScalarAsSuperuserAsync<long>(Database,
            $"select count(*) from pg_roles where rolname like '{RolePrefix}%' and rolcanlogin");
        return $"afterwards {sessions} sessions, {privileges} privileges{(includeConnect ? "" : " besides CONNECT")}, {logins} roles able to log in";
    }

    /// <summary>The roles (a) would create, with the same attributes and a password, 500 statements a round trip, as the admin.</summary>
    private static async Task CreateBatchedAsync(PgScratchCluster cluster, List<RolePlan> plan)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(cluster.LoginConnectionString(Database, AdminName, AdminPassword));
        await connection.OpenAsync();
        foreach (var chunk in plan.Chunk(500))
        {
            await using var batch = new NpgsqlBatch(connection);
            foreach (var role in chunk)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"CREATE ROLE \"{role.Role}\" WITH LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD '{role.Password}'"));
            }
            await batch.ExecuteNonQueryAsync();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {plan.Count} roles created in batches as the admin in {clock.Elapsed.TotalSeconds:0.00} s"));
    }

    /// <summary>
    /// Puts back what (a) granted, as the admin in one batch (so the admin can revoke it again): LOGIN and
    /// VALID UNTIL, CONNECT, USAGE, and one GRANT per table naming all its roles.
    /// </summary>
    private static async Task RestoreBatchedAsync(PgScratchCluster cluster, List<RolePlan> plan, DateTimeOffset validUntil)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(cluster.LoginConnectionString(Database, AdminName, AdminPassword));
        await connection.OpenAsync();
        var until = validUntil.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var all = string.Join(", ", plan.Select(p => $"\"{p.Role}\""));
        await using var batch = new NpgsqlBatch(connection);
        foreach (var role in plan)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"ALTER ROLE \"{role.Role}\" WITH LOGIN VALID UNTIL '{until}'"));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand($"GRANT CONNECT ON DATABASE {Database} TO {all}"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"GRANT USAGE ON SCHEMA public TO {all}"));
        foreach (var table in plan.SelectMany(p => p.Tables.Select(t => (t.Name, p.Role))).GroupBy(x => x.Name))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"GRANT SELECT ON public.{table.Key} TO {string.Join(", ", table.Select(x => $"\"{x.Role}\""))}"));
        }

        await batch.ExecuteNonQueryAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    grants restored in one batch as the admin in {clock.Elapsed.TotalSeconds:0.00} s"));
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
