using BenchmarkDotNet.Attributes;
using JitGate.Core.Domain;
using JitGate.Core.Policy;

namespace JitGate.Bench;

/// <summary>
/// The decision the query path makes on every call, with 10,000 users, 100,000 bindings and 1,000
/// databases held in the policy snapshot.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AuthorizationBenchmarks
{
    private const int Users = 10_000;
    private const int Bindings = 100_000;
    private const int DatabaseCount = 1_000;
    private PolicySnapshot _snapshot = null!;
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private long _user;
    private string _database = "";

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = Build(Now);
        _user = 4242;
        _database = "db421";
    }

    /// <summary>
    /// Bytes the policy snapshot holds at this scale: managed heap after forced collections, with the
    /// snapshot alive, minus before it was built (its inputs are garbage by then).
    /// </summary>
    public static void PrintMemory()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var snapshot = BuildUnlessInlined(Now);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(snapshot);
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"policy snapshot memory: {(after - before) / (1024.0 * 1024):0.0} MiB held ({after - before:N0} bytes) for {Users:N0} users, {snapshot.BindingCount:N0} bindings, {snapshot.Databases.Count:N0} databases; {(after - before) / (double)snapshot.BindingCount:0} bytes per binding"));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static PolicySnapshot BuildUnlessInlined(DateTimeOffset now) => Build(now);

    private static PolicySnapshot Build(DateTimeOffset now)
    {
        var random = new Random(7);
        var users = Enumerable.Range(1, Users).Select(i => new PolicyUser(i, $"u{i}@example.com", $"U{i}", WorkspaceRoles.Member));
        var databases = Enumerable.Range(0, DatabaseCount).Select(i => new PolicyDatabase($"db{i}", $"db{i}", $"p{i % 100}", "prod", "sqlite", "/x", "i0"));
        var bindings = new List<(string, long, PolicyBinding)>();
        for (var i = 0; i < Bindings; i++)
        {
            var db = random.Next(DatabaseCount);
            var scope = i % 3 == 0
                ? $$"""{"tables":[{"database":"db{{db}}","schema":"main","table":"salary"},{"database":"db{{db}}","schema":"main","table":"employee"}]}"""
                : i % 3 == 1 ? $$"""{"databases":["db{{db}}"]}""" : null;
            var role = i % 5 == 0 ? ProjectRoles.Developer : ProjectRoles.SqlEditorUser;
            bindings.Add(("user", 1 + (i % Users), PolicyCache.ToPolicyBinding(i, $"p{db % 100}", role, now.AddHours(random.Next(-5, 48)), scope)));
        }
        return new PolicySnapshot(users, bindings, [], databases);
    }

    [Benchmark]
    public bool ReadGrantDecision() => _snapshot.ReadGrantFor(_user, _database, Now).IsEmpty;

    [Benchmark]
    public int ProjectMembership() => _snapshot.ProjectRolesOf(_user, "p21", Now).Count;
}
