using System.Diagnostics;
using System.Globalization;
using JitGate.Engines.MySql;
using MySqlConnector;

namespace JitGate.Bench;

/// <summary>
/// The MySQL/MariaDB reconciler against a throwaway MariaDB server: a database with 100 tables, the
/// instance admin as the engine README lists it, and N JitGate accounts (1–10 tables each).
/// (a) one ReconcileAsync pass from nothing; (b) the same pass when nothing changed; (c) expiry: every
/// account's access ends at once while it holds an open session, through one EndAccessManyAsync call
/// (what the reconciler does), until no account can log in, holds a privilege or has a session.
/// Options: --roles N (1000), --tables N (100).
/// </summary>
internal static class MySqlReconcileSuite
{
    private const string Database = "bench_reconcile";
    private const string AccountPrefix = "jit_b";

    public static async Task RunAsync(BenchArgs args)
    {
        var accounts = args.Int("roles", 1000);
        var tables = args.Int("tables", 100);
        Console.WriteLine(Machine.Line());
        Console.WriteLine($"reconcile, mysql (MariaDB): {accounts} accounts, {tables} tables, 1-10 tables per account");
        await using var mariaDb = await MariaDbServer.StartAsync(maxConnections: accounts + 100);
        if (mariaDb is null)
        {
            Console.WriteLine($"skipped: MariaDB not found ({MariaDbServer.ServerBinary}); install mariadb-server");
            return;
        }

        var clock = Stopwatch.StartNew();
        await mariaDb.ExecuteAsRootAsync([$"CREATE DATABASE {Database}",
            .. Enumerable.Range(1, tables).Select(t => $"CREATE TABLE {Database}.{TableName(t)} (id INT PRIMARY KEY, label VARCHAR(20) NOT NULL)"),
            .. Enumerable.Range(1, tables).Select(t => $"INSERT INTO {Database}.{TableName(t)} VALUES (1, 'row')")]);
        await mariaDb.AddAdminAndReaderAsync(Database, TableName(1));
        var server = mariaDb.Admin;
        var plan = Plan(accounts, tables);
        Console.WriteLine($"setup: server and {tables} tables in {clock.Elapsed.TotalSeconds:0.0} s; {plan.Sum(p => p.Tables.Count)} table grants planned");

        Task<RoleReport> Grant(Account a) => MySqlAccess.ReconcileAsync(server, Database, a.Name, a.Password, ReadGrant.Tables(a.Tables), null, CancellationToken.None);
        var first = await TimeAsync(plan, Grant);
        Report("(a) first pass, sequential", first, $"{first.Reports.Count(r => r.RoleCreated)} accounts created, {first.Reports.Sum(r => r.Granted.Count)} privileges granted");
        var again = await TimeAsync(plan, Grant);
        Report("(b) unchanged pass, sequential", again, $"{again.Reports.Count(r => r.Changed)} accounts changed");

        var sessions = new List<MySqlConnection>();
        foreach (var account in plan)
        {
            var session = mariaDb.LoginAs(account.Name, account.Password, Database);
            await session.OpenAsync();
            await using (var read = new MySqlCommand($"SELECT COUNT(*) FROM {account.Tables[0].Name}", session)) await read.ExecuteScalarAsync();
            sessions.Add(session);
        }

        clock.Restart();
        var ended = await MySqlAccess.EndAccessManyAsync(server, Database, plan.Select(p => p.Name).ToList(), CancellationToken.None);
        var took = clock.Elapsed;
        var like = $"'{AccountPrefix}%'";
        var left = await mariaDb.CountAsRootAsync($"SELECT COUNT(*) FROM mysql.tables_priv WHERE User LIKE {like}");
        var open = await mariaDb.CountAsRootAsync($"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER LIKE {like}");
        var unlocked = await mariaDb.CountAsRootAsync(
            $"SELECT COUNT(*) FROM mysql.global_priv WHERE User LIKE {like} AND NOT JSON_VALUE(Priv, '$.account_locked') IN ('true', '1')");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(c) expiry, EndAccessManyAsync, 1 call: total {took.TotalSeconds:0.000} s (target <= 2 s), {took.TotalMilliseconds / plan.Count:0.00} ms per account; "
            + $"{ended.RolesEnded.Count} accounts ended, {ended.Roles.Values.Sum(r => r.Revoked.Count)} privileges revoked, {ended.SessionsEnded} sessions ended; "
            + $"left: {left} table privileges, {open} sessions, {unlocked} accounts unlocked"));
        foreach (var session in sessions) await session.DisposeAsync();
    }

    private sealed record Account(string Name, string Password, List<TableRef> Tables);

    private sealed record Timed(TimeSpan Total, double[] Milliseconds, List<RoleReport> Reports);

    private static List<Account> Plan(int accounts, int tables)
    {
        var random = new Random(1);
        var plan = new List<Account>(accounts);
        for (var i = 1; i <= accounts; i++)
        {
            var chosen = new SortedSet<int>();
            var count = Math.Min(tables, 1 + random.Next(10));
            while (chosen.Count < count) chosen.Add(1 + random.Next(tables));
            plan.Add(new Account(string.Create(CultureInfo.InvariantCulture, $"{AccountPrefix}{i:D5}"), string.Create(CultureInfo.InvariantCulture, $"benchPass{i}"),
                chosen.Select(t => new TableRef(Database, TableName(t))).ToList()));
        }

        return plan;
    }

    private static string TableName(int index) => string.Create(CultureInfo.InvariantCulture, $"t{index:D3}");

    private static async Task<Timed> TimeAsync(List<Account> plan, Func<Account, Task<RoleReport>> work)
    {
        var milliseconds = new double[plan.Count];
        var reports = new List<RoleReport>(plan.Count);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < plan.Count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            reports.Add(await work(plan[i]));
            milliseconds[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return new Timed(clock.Elapsed, milliseconds, reports);
    }

    private static void Report(string label, Timed timed, string detail)
    {
        var sorted = timed.Milliseconds.Order().ToArray();
        double At(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: total {timed.Total.TotalSeconds:0.000} s, {timed.Total.TotalMilliseconds / sorted.Length:0.00} ms per account "
            + $"(one account: median {At(0.5):0.00} ms, p99 {At(0.99):0.00} ms); {detail}"));
    }
}
