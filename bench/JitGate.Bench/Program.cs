using BenchmarkDotNet.Running;
using JitGate.Bench;

// Suites: authz (BenchmarkDotNet, in process), query and coldstart (end to end over loopback HTTP).
var suite = args.FirstOrDefault() ?? "help";
switch (suite)
{
    case "authz":
        BenchmarkRunner.Run<AuthorizationBenchmarks>(args: args[1..]);
        break;
    case "query":
        await QueryOverheadSuite.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000);
        break;
    case "coldstart":
        await ColdStartSuite.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
        break;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project bench/JitGate.Bench -- <authz|query [requests]|coldstart [runs]>");
        break;
}
