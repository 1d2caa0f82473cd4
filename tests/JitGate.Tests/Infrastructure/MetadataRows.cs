using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace JitGate.Tests.Infrastructure;

/// <summary>
/// Writes many rows straight into a test server's SQLite metadata store, for the scale a test needs
/// (tens of thousands of bindings or requests) without as many API calls. What the API would check is
/// the test's to respect.
/// </summary>
public static class MetadataRows
{
    private static readonly Func<DateTimeOffset, long> Stored = new DateTimeOffsetToBinaryConverter().ConvertToProviderExpression.Compile();

    /// <summary>Runs <paramref name="sql"/> <paramref name="count"/> times in one transaction; <paramref name="bind"/> sets the parameters of run i.
    /// <c>$at</c> is bound to the test clock's now, in the store's encoding of a time.</summary>
    public static void Insert(JitGateApp app, string sql, int count, Action<SqliteCommand, int> bind)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(app.DataDir, "jitgate.db"), Pooling = false }.ToString());
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = sql;
        insert.Parameters.AddWithValue("$at", Stored(app.Clock.GetUtcNow()));
        for (var i = 0; i < count; i++)
        {
            bind(insert, i);
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Sets a parameter of the command, adding it on first use.</summary>
    public static void Set(SqliteCommand command, string name, object value)
    {
        if (command.Parameters.Contains(name)) command.Parameters[name].Value = value;
        else command.Parameters.AddWithValue(name, value);
    }
}
