using JitGate.Engines.MySql;

namespace JitGate.Engines.Tests.MySql;

/// <summary>The shared adversarial corpus on MariaDB, as a JitGate account holding SELECT on employee, salary, title.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlAdversarialTests(MariaDbFixture db)
{
    private const string Account = "jit_adversary";
    private const string Password = "adversaryPass1";

    // Short, so that the sleeps of the corpus end quickly; every other statement of it takes milliseconds.
    private static readonly QueryLimits Limits = new(1000, TimeSpan.FromSeconds(1));
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static int _readyPort;

    public static TheoryData<int> Cases() => AdversarialCases.IndexesFor(Engine.MySql);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Adversarial_statement_gets_the_expected_outcome(int index)
    {
        var attack = AdversarialCases.All[index];
        AdversarialCases.AssertOutcome(Engine.MySql, attack, await RunAsync(attack.Sql));
    }

    [Fact]
    public async Task The_whole_corpus_leaks_nothing_and_writes_nothing()
    {
        const string Checksum =
            "SELECT CONCAT((SELECT COUNT(*) FROM salary), '/', (SELECT SUM(CRC32(CONCAT_WS(',', emp_no, amount, from_date, to_date))) FROM salary), '/', "
            + "(SELECT COUNT(*) FROM department), '/', (SELECT COUNT(*) FROM employee), '/', "
            + "(SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'hr_prod'), '/', "
            + "(SELECT COUNT(*) FROM mysql.global_priv), '/', (SELECT COUNT(*) FROM mysql.tables_priv), '/', (SELECT COUNT(*) FROM mysql.db))";
        var before = await db.ScalarAsRootAsync<string>(Checksum);
        var leaks = new List<string>();
        var cases = AdversarialCases.All.Where(a => a.RunsOn(Engine.MySql)).ToList();
        foreach (var attack in cases)
        {
            var outcome = await RunAsync(attack.Sql);
            if (AdversarialCases.Leak(outcome) is { } canary)
            {
                leaks.Add($"{attack.Sql}: {canary}");
            }

            if (outcome is QueryOutcome.Success && attack.OutcomeOn(Engine.MySql) != typeof(QueryOutcome.Success))
            {
                leaks.Add($"{attack.Sql}: answered although it should not be");
            }
        }

        var writes = before == await db.ScalarAsRootAsync<string>(Checksum) ? 0 : 1;
        Assert.True(leaks.Count == 0, $"{cases.Count} cases, {leaks.Count} leaks:\n{string.Join('\n', leaks)}");
        Assert.Equal(0, writes);
        Assert.False(File.Exists(AdversarialCases.Outfile));
        Assert.Equal(0L, await db.ScalarAsRootAsync<long>("SELECT COUNT(*) FROM mysql.global_priv WHERE User = 'jit_intruder'"));
        // Nothing the corpus did stayed in the pooled sessions: the account still cannot read department.
        Assert.IsType<QueryOutcome.Denied>(await RunAsync("select * from department"));
    }

    [Fact]
    public async Task Information_schema_and_show_list_only_granted_tables()
    {
        var tables = Assert.IsType<QueryOutcome.Success>(await RunAsync("select table_name from information_schema.tables where table_schema = 'hr_prod' order by 1"));
        Assert.Equal(["employee", "salary", "title"], tables.Rows.Select(r => (string)r[0]!));
        var shown = Assert.IsType<QueryOutcome.Success>(await RunAsync("show tables"));
        Assert.Equal(["employee", "salary", "title"], shown.Rows.Select(r => (string)r[0]!).Order());
        var columns = Assert.IsType<QueryOutcome.Success>(await RunAsync("select column_name from information_schema.columns where table_name = 'department'"));
        Assert.Empty(columns.Rows);
        var file = Assert.IsType<QueryOutcome.Success>(await RunAsync("select load_file('/etc/passwd')"));
        Assert.Null(Assert.Single(file.Rows)[0]);
    }

    private async Task<QueryOutcome> RunAsync(string sql)
    {
        await EnsureAccountAsync();
        return await MySqlQueryRunner.RunAsync(db.Admin, MariaDbFixture.Database, Account, Password,
            sql.Replace(AdversarialCases.OtherFile, "/tmp/jitgate-other.db", StringComparison.Ordinal), Limits, CancellationToken.None);
    }

    private async Task EnsureAccountAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (_readyPort != db.Port)
            {
                await MySqlAccess.ReconcileAsync(db.Admin, MariaDbFixture.Database, Account, Password, AdversarialCases.GrantFor(Engine.MySql), null, CancellationToken.None);
                _readyPort = db.Port;
            }
        }
        finally
        {
            Once.Release();
        }
    }
}
