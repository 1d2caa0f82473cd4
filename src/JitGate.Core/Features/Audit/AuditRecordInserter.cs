using System.Data.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Inserts batches of audit records on one connection it keeps open, with one prepared INSERT built
/// from the EF model (table, columns and value conversions), so the per-query audit write skips EF's
/// context, change tracking and command building. Used by one writer at a time.
/// </summary>
internal sealed class AuditRecordInserter(MetadataStore store, IModel model) : IAsyncDisposable
{
    private readonly (IProperty Property, Func<AuditRecord, object?> Read)[] _columns = Columns(model);
    private string? _positionalInsert;
    private DbConnection? _connection;
    private PreparedCommands? _prepared;

    /// <summary>Commits all records in one transaction; after a failure, retries once on a new connection.</summary>
    public async Task InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        try
        {
            await InsertOnceAsync(records, ct);
        }
        catch (DbException)
        {
            // A connection that broke (metadata server restarted, fail-over) is replaced once.
            await ResetAsync();
            await InsertOnceAsync(records, ct);
        }
    }

    private async Task InsertOnceAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var connection = _connection ??= await OpenAsync(ct);
        if (connection.CanCreateBatch) await InsertBatchAsync(connection, records, ct);
        else await InsertPreparedAsync(connection, records, ct);
    }

    /// <summary>PostgreSQL: every row in one round trip.</summary>
    private async Task InsertBatchAsync(DbConnection connection, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var record in records)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = _positionalInsert ??= InsertSql(p => $"${p + 1}");
            foreach (var (property, read) in _columns)
            {
                var parameter = command.CreateParameter();
                parameter.Value = Provider(property, read(record));
                command.Parameters.Add(parameter);
            }
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// SQLite: BEGIN, INSERT and COMMIT are each compiled once and kept; an ADO.NET transaction object
    /// would compile its BEGIN and COMMIT again on every commit.
    /// </summary>
    private async Task InsertPreparedAsync(DbConnection connection, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var commands = _prepared ??= new PreparedCommands(Prepare(connection, "BEGIN IMMEDIATE"), CreateInsert(connection), Prepare(connection, "COMMIT"));
        await commands.Begin.ExecuteNonQueryAsync(ct);
        try
        {
            foreach (var record in records)
            {
                for (var i = 0; i < _columns.Length; i++) commands.Insert.Parameters[i].Value = Provider(_columns[i].Property, _columns[i].Read(record));
                await commands.Insert.ExecuteNonQueryAsync(ct);
            }
            await commands.Commit.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            // The connection goes back to the driver's pool: it must not carry the transaction along.
            await RollBackQuietlyAsync(connection);
            await ResetAsync();
            throw;
        }
    }

    private static async Task RollBackQuietlyAsync(DbConnection connection)
    {
        try
        {
            await using var rollback = connection.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }
        catch (DbException)
        {
            // No transaction was open, or the connection is gone: either way none is left.
        }
    }

    private sealed record PreparedCommands(DbCommand Begin, DbCommand Insert, DbCommand Commit);

    private static DbCommand Prepare(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (store.DataSource is { } source) return await source.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(store.ConnectionString);
        await connection.OpenAsync(ct);
        SqlitePragmas.Apply(connection);
        return connection;
    }

    private DbCommand CreateInsert(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = InsertSql(p => $"@p{p}");
        for (var i = 0; i < _columns.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            command.Parameters.Add(parameter);
        }
        command.Prepare();
        return command;
    }

    private string InsertSql(Func<int, string> placeholder)
    {
        var table = StoreObjectIdentifier.Table(model.FindEntityType(typeof(AuditRecord))!.GetTableName()!);
        var names = string.Join(", ", _columns.Select(c => $"\"{c.Property.GetColumnName(table)}\""));
        var values = string.Join(", ", _columns.Select((_, i) => placeholder(i)));
        return $"INSERT INTO \"{table.Name}\" ({names}) VALUES ({values})";
    }

    private static object Provider(IProperty property, object? value)
    {
        if (value is null) return DBNull.Value;
        var converter = property.GetTypeMapping().Converter;
        return converter is null ? value : converter.ConvertToProvider(value) ?? DBNull.Value;
    }

    private static (IProperty, Func<AuditRecord, object?>)[] Columns(IModel model)
    {
        var entity = model.FindEntityType(typeof(AuditRecord))!;
        return entity.GetProperties()
            .Where(p => !p.IsPrimaryKey())
            .Select(p =>
            {
                var getter = p.GetGetter();
                return (p, (Func<AuditRecord, object?>)(r => getter.GetClrValue(r)));
            })
            .ToArray();
    }

    private async Task ResetAsync()
    {
        if (_prepared is not null)
        {
            await _prepared.Begin.DisposeAsync();
            await _prepared.Insert.DisposeAsync();
            await _prepared.Commit.DisposeAsync();
        }
        if (_connection is not null) await _connection.DisposeAsync();
        _prepared = null;
        _connection = null;
    }

    public ValueTask DisposeAsync() => new(ResetAsync());
}
