using System.Diagnostics;
using System.Globalization;
using JitGate.Engines;
using JitGate.Engines.Postgres;
using Npgsql;

namespace JitGate.Bench;

/// <summary>
/// The PostgreSQL reconciler against a throwaway cluster: a database with 100 tables, the non-superuser
/// instance admin with grant options, and N JitGate roles (one binding each, 1–10 tables each).
/// (a) one ReconcileAsync pass from nothing; (b) the same pass when nothing changed; (c) expiry: every
/// role loses its grants at once while holding an open session, until no role has privileges or
/// sessions. Expiry runs over roles with a bounded degree of parallelism, each on its own admin
/// connection; a batched prototype of the same work shows what an engine-level batch API would give.
/// Options: --roles N (1000), --tables N (100), --parallel N (5), --all (adds the unchanged pass in
/// parallel and expiry through ReconcileAsync(Nothing)). About 90 s on 2 cores with the defaults.
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
        Console.WriteLine(Machine.Line());
        Console.WriteLine($"reconcile: {roles} roles, {tables} tables, 1-10 tables per role, parallel {parallel}");

        await using var cluster = PgScratchCluster.Start(roles + 60);
        if (cluster is null)
        {
            Console.WriteLine($"skipped: PostgreSQL 15 binaries not found in {PgScratchCluster.BinDirectory}");
            return;
        }

        var clock = Stopwatch.StartNew();
        await SetUpAsync(cluster, tables);
        var server = new PostgresServer("127.0.0.1", cluster.Port, AdminName, AdminPassword);
        var plan = Plan(roles, tables);
        Console.WriteLine($"setup: cluster and {tables} tables in {clock.Elapsed.TotalSeconds:0.0} s; "
            + $"{plan.Sum(p => p.Tables.Count)} table grants planned");
        var validUntil = DateTimeOffset.UtcNow.AddHours(1);
        Task<PostgresReconcileReport> Grant(RolePlan p) => PostgresAccess.ReconcileAsync(
            server, Database, p.Role, p.Password, ReadGrant.Tables(p.Tables), validUntil, CancellationToken.None);

        // (a) From nothing, one role after another as the reconciler's pass does: creates every role
        // and grants CONNECT, USAGE and its tables.
        var first = await TimeAsync(plan, 1, Grant);
        Report("(a) first pass, sequential", first, $"{first.Reports.Count(r => r.RoleCreated)} roles created, "
            + $"{first.Reports.Sum(r => r.Granted.Count)} privileges granted");

        // (b) Nothing changed: reads back, sets the password again, changes nothing.
        var again = await TimeAsync(plan, 1, Grant);
        Report("(b) unchanged pass, sequential", again, $"{again.Reports.Count(r => r.Changed)} roles changed");
        if (all)
        {
            var againParallel = await TimeAsync(plan, parallel, Grant);
            Report($"(b) unchanged pass, parallel {parallel}", againParallel, $"{againParallel.Reports.Count(r => r.Changed)} roles changed");
        }

        // (c) Expiry, the way the reconciler ends a native credential: EndAccessAsync (NOLOGIN, revoke
        // everything including CONNECT, end sessions), for every role at once.
        var sessions = await OpenSessionsAsync(cluster, plan);
        var ended = await TimeAsync(plan, parallel, p => PostgresAccess.EndAccessAsync(server, Database, p.Role, CancellationToken.None));
        Report($"(c) expiry, EndAccessAsync, parallel {parallel}", ended,
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

        // (c'') A prototype of an engine-level batch (EndAccessManyAsync): the statements of
        // EndAccessAsync, each one for every role at once, on one admin connection.
        await RestoreBatchedAsync(cluster, plan, validUntil);
        sessions = await OpenSessionsAsync(cluster, plan);
        clock.Restart();
        var terminated = await EndAccessBatchedAsync(cluster, plan);
        var batched = clock.Elapsed;
        var state = await StateAsync(cluster, includeConnect: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(c'') expiry, batched prototype, 1 connection: total {batched.TotalSeconds:0.000} s, {batched.TotalMilliseconds / plan.Count:0.00} ms per role; {terminated} sessions ended; {state}"));
        await CloseAsync(sessions);
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

    /// <summary>
    /// What a batch API could do for expiry: NOLOGIN for every role in one round trip, one REVOKE per
    /// object kind naming every role, one pg_terminate_backend over all their sessions, one read-back.
    /// </summary>
    private static async Task<long> EndAccessBatchedAsync(PgScratchCluster cluster, List<RolePlan> plan)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(cluster.LoginConnectionString(Database, AdminName, AdminPassword));
        await connection.OpenAsync();
        var names = plan.Select(p => p.Role).ToArray();
        var all = string.Join(", ", names.Select(n => $"\"{n}\""));
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        await using (var batch = new NpgsqlBatch(connection))
        {
            foreach (var name in names)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"ALTER ROLE \"{name}\" WITH NOLOGIN VALID UNTIL '{now}'"));
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand($"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {all}"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"REVOKE ALL ON SCHEMA public FROM {all}"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"REVOKE ALL ON DATABASE {Database} FROM {all}"));
            await batch.ExecuteNonQueryAsync();
        }

        var revoked = clock.Elapsed;

        // pg_terminate_backend(pid, timeout) sleeps in 100 ms steps until that backend is gone, so one
        // call per session costs about 100 ms each. Signal every session first, then poll until none is left.
        await using var terminate = new NpgsqlCommand(
            """
            select count(*) filter (where pg_terminate_backend(pid))
            from pg_stat_activity where usename = any($1) and pid <> pg_backend_pid()
            """, connection);
        terminate.Parameters.Add(new NpgsqlParameter { Value = names });
        var terminated = (long)(await terminate.ExecuteScalarAsync())!;
        await using var remaining = new NpgsqlCommand("select count(*) from pg_stat_activity where usename = any($1)", connection);
        remaining.Parameters.Add(new NpgsqlParameter { Value = names });
        while ((long)(await remaining.ExecuteScalarAsync())! > 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("Sessions still open 30 s after pg_terminate_backend.");
            }

            await Task.Delay(5);
        }

        var gone = clock.Elapsed;

        // The read-back an engine API would check (and fail on) before reporting success.
        await using var check = new NpgsqlCommand(
            """
            with r as (select oid from pg_roles where rolname = any($1))
            select (select count(*) from pg_class c, aclexplode(c.relacl) a where a.grantee in (select oid from r))
                 + (select count(*) from pg_namespace n, aclexplode(n.nspacl) a where a.grantee in (select oid from r))
                 + (select count(*) from pg_database d, aclexplode(d.datacl) a
                    where d.datname = current_database() and a.grantee in (select oid from r))
            """, connection);
        check.Parameters.Add(new NpgsqlParameter { Value = names });
        var left = (long)(await check.ExecuteScalarAsync())!;
        if (left != 0)
        {
            throw new InvalidOperationException($"{left} privileges left after the batched revoke.");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    batched: NOLOGIN and REVOKE {revoked.TotalMilliseconds:0} ms, sessions gone {(gone - revoked).TotalMilliseconds:0} ms, read-back {(clock.Elapsed - gone).TotalMilliseconds:0} ms"));
        return terminated;
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
