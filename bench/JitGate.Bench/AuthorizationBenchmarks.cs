using BenchmarkDotNet.Attributes;
using JitGate.Core.Domain;
using JitGate.Core.Policy;

namespace JitGate.Bench;

/// <summary>
/// The decision the query path makes on every call, with 10,000 users, 100,000 bindings and 1,000
/// databases held in the policy snapshot.
/// </summary>
[MemoryDiagnoser]
public class AuthorizationBenchmarks
{
    private const int Users = 10_000;
    private const int Bindings = 100_000;
    private const int DatabaseCount = 1_000;
    private PolicySnapshot _snapshot = null!;
    private readonly DateTimeOffset _now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private long _user;
    private string _database = "";

    [GlobalSetup]
    public void Setup()
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
            bindings.Add(("user", 1 + (i % Users), PolicyCache.ToPolicyBinding(i, $"p{db % 100}", role, _now.AddHours(random.Next(-5, 48)), scope)));
        }
        _snapshot = new PolicySnapshot(users, bindings, [], databases);
        _user = 4242;
        _database = "db421";
    }

    [Benchmark]
    public bool ReadGrantDecision() => _snapshot.ReadGrantFor(_user, _database, _now).IsEmpty;

    [Benchmark]
    public int ProjectMembership() => _snapshot.ProjectRolesOf(_user, "p21", _now).Count;
}
