using JitGate.Engines.Tests.Postgres;
using Npgsql;

namespace JitGate.Tests.Infrastructure;

/// <summary>Fresh metadata databases on the test run's PostgreSQL server, for JitGate with PostgreSQL as its store.</summary>
internal static class PostgresMetadata
{
    /// <summary>Creates an empty database and answers a connection string for it (superuser over the socket, small pool).</summary>
    public static string NewDatabase(PostgresFixture pg, string? applicationName = null)
    {
        var name = "jitgate_meta_" + Guid.NewGuid().ToString("n")[..12];
        pg.ExecuteAsSuperuserAsync("postgres", $"CREATE DATABASE {name}").GetAwaiter().GetResult();
        var builder = new NpgsqlConnectionStringBuilder(pg.Superuser().ConnectionString) { Database = name, Pooling = true, MaxPoolSize = 12 };
        if (applicationName is not null) builder.ApplicationName = applicationName;
        return builder.ConnectionString;
    }

    public static JitGateApp NewApp(PostgresFixture pg) =>
        new(settings: new() { ["ConnectionStrings:Metadata"] = NewDatabase(pg) });
}
