using BenchmarkDotNet.Running;
using JitGate.Bench;

// Suites: authz and cel (BenchmarkDotNet, in process); reconcile (PostgreSQL engine, or --engine mysql); query, requests, audit, result and coldstart (end to end
// over loopback HTTP against a server process). Each prints a machine line first. docs/BENCHMARKS.md
// has the commands, targets and figures.
var suite = args.FirstOrDefault() ?? "help";
var options = new BenchArgs(args.Skip(1));
if (suite == "floor-serve")
{
    // Internal: the query suite's floor in a process of its own, with default thread-pool settings.
    await FloorProcess.ServeSqliteAsync(args[1]);
    return;
}
// The load driver runs synchronous references (the direct driver) on up to 16 workers at once.
ThreadPool.SetMinThreads(64, 64);
switch (suite)
{
    case "authz":
        Machine.Print();
        AuthorizationBenchmarks.PrintMemory();
        // BenchmarkDotNet's short job by default keeps the suite near a minute; --job default (or any
        // other --job) is passed through for a longer, tighter run.
        if (!args.Contains("--memory-only"))
        {
            BenchmarkRunner.Run<AuthorizationBenchmarks>(args: args.Contains("--job") ? args[1..] : [.. args[1..], "--job", "short"]);
        }
        break;
    case "query":
        await QueryOverheadSuite.RunAsync(options);
        break;
    case "requests":
        await RequestsSuite.RunAsync(options);
        break;
    case "approval":
        await ApprovalSuite.RunAsync(options);
        break;
    case "scale":
        await ScaleSuite.RunAsync(options);
        break;
    case "audit":
        await AuditSuite.RunAsync(options);
        break;
    case "result":
        await ResultSizeSuite.RunAsync(options);
        break;
    case "cel":
        Machine.Print();
        BenchmarkRunner.Run<ConditionBenchmarks>(args: args.Contains("--job") ? args[1..] : [.. args[1..], "--job", "short"]);
        break;
    case "reconcile" when options.String("engine", "postgres") == "mysql":
        await MySqlReconcileSuite.RunAsync(options);
        break;
    case "reconcile":
        await ReconcileSuite.RunAsync(args[1..]);
        break;
    case "browser":
        await BrowserSuite.RunAsync(options);
        break;
    case "coldstart":
        await ColdStartSuite.RunAsync(options.Int("runs", 3, positional: true), TimeSpan.FromSeconds(options.Double("idle", 5)));
        break;
    default:
        Console.WriteLine("""
            usage: dotnet run -c Release --project bench/JitGate.Bench -- <suite> [options]
              authz      [--memory-only] [BenchmarkDotNet options; --job short unless a --job is given]
              browser    [runs (10)]   the console in Chromium: editor interactive, Run to first row (1 and 1,000 rows)
              query      [requests (5000)] [--seconds 15] [--clients 1,16] [--warmup-seconds 10] [--engine sqlite|postgres|mysql]
              requests   [--pending 10000] [--requests 1000] [--seconds 30] [--clients 1,8]
              approval   [--engine postgres|mysql|both] [--runs 30] [--pause-ms 300]  approve answered -> first row
              scale      [--databases 1000] [--users 10000] [--bindings 100000] [--rate 100] [--burst-seconds 10] [--queriers 10] [--calls 50]
              audit      [--records 1000000] [--requests 100] [--seconds 20]
              result     [--employees 100000] [--requests 20] [--seconds 60]
              cel        risk-condition evaluation and compilation (BenchmarkDotNet)
              reconcile  [--roles 1000] [--tables 100] [--parallel 5] [--all] [--sessions N] [--no-compare] [--batched-setup] [--spread-seconds 60]  (PostgreSQL, starts its own cluster)
              reconcile  --engine mysql [--roles 1000] [--tables 100]  (MariaDB, starts its own server)
              coldstart  [runs (3)] [--idle 5]
            """);
        break;
}
