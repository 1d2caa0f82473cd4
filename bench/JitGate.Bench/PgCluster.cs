using Npgsql;

namespace JitGate.Bench;

/// <summary>
/// A throwaway PostgreSQL 15 cluster (a <see cref="PgScratchCluster"/>) with hr_prod holding a small
/// employee table, JitGate's instance admin, and a plain reader role for the direct references.
/// </summary>
internal sealed class PgCluster : IAsyncDisposable
{
    public const string BinDirectory = PgScratchCluster.BinDirectory;
    public const string Database = "hr_prod";
    public const string AdminName = "jitgate_admin";
    public const string AdminPassword = "admin-Secret-1";
    public const string ReaderName = "bench_reader";
    public const string ReaderPassword = "reader-Secret-1";

    private readonly PgScratchCluster _cluster;

    private PgCluster(PgScratchCluster cluster) => _cluster = cluster;

    public int Port => _cluster.Port;

    /// <summary>Null when the binaries are missing (the suite then says so and skips).</summary>
    public static async Task<PgCluster?> StartAsync(int employees)
    {
        var scratch = PgScratchCluster.Start(maxConnections: 100);
        if (scratch is null) return null;
        var cluster = new PgCluster(scratch);
        try
        {
            await cluster.InitializeAsync(employees);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A pool of the reader role; through <paramref name="port"/> (a relay) when given, else straight to the cluster.</summary>
    public NpgsqlDataSource ReaderSource(int maxPool, int? port = null) => NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(_cluster.LoginConnectionString(Database, ReaderName, ReaderPassword)) { Pooling = true, MaxPoolSize = maxPool, Port = port ?? Port }.ConnectionString);

    private async Task InitializeAsync(int employees)
    {
        await _cluster.ExecuteAsSuperuserAsync("postgres", "CREATE DATABASE hr_prod");
        await _cluster.ExecuteAsSuperuserAsync(Database,
            """
            CREATE TABLE employee (
                emp_no INT NOT NULL PRIMARY KEY, birth_date DATE NOT NULL, first_name VARCHAR(14) NOT NULL,
                last_name VARCHAR(16) NOT NULL, gender CHAR(1) NOT NULL, hire_date DATE NOT NULL)
            """,
            $"""
            INSERT INTO employee
            SELECT 10000 + i, DATE '1960-01-01' + (i % 9000), 'First' || i, 'Last' || i,
                   CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END, DATE '1990-01-01' + (i % 7000)
            FROM generate_series(1, {employees}) AS i
            """,
            "ANALYZE employee",
            $"CREATE ROLE {AdminName} LOGIN CREATEROLE PASSWORD '{AdminPassword}'",
            $"GRANT pg_signal_backend TO {AdminName}",
            "REVOKE CONNECT ON DATABASE hr_prod FROM PUBLIC",
            $"GRANT CONNECT ON DATABASE hr_prod TO {AdminName} WITH GRANT OPTION",
            $"GRANT USAGE ON SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {AdminName} WITH GRANT OPTION",
            $"CREATE ROLE {ReaderName} LOGIN PASSWORD '{ReaderPassword}'",
            $"GRANT CONNECT ON DATABASE hr_prod TO {ReaderName}",
            $"GRANT SELECT ON employee TO {ReaderName}");
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
