namespace JitGate.Core.Persistence;

public enum MetadataProvider { Sqlite, Postgres }

/// <summary>Which metadata store this process uses; PostgreSQL means replicas may share it.</summary>
public sealed record MetadataStore(MetadataProvider Provider, string ConnectionString, Npgsql.NpgsqlDataSource? DataSource = null)
{
    public bool Shared => Provider == MetadataProvider.Postgres;
}
