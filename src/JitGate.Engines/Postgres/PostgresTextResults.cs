using System.Reflection;
using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Asks for every result column of a batch in text format, as <c>NpgsqlCommand.AllResultTypesAreUnknown</c>
/// does for a single command. Npgsql keeps the same switch on <see cref="NpgsqlBatch"/> but does not make it
/// public (Npgsql 10.0.3); JitGate needs both text results (<see cref="PostgresValues"/> reads what the server
/// prints, for every type) and a batch (the query's one round trip), so the switch is reached by reflection,
/// once. If a later Npgsql drops it, the type initializer throws and every PostgreSQL query fails with that
/// message rather than reading binary values as text.
/// </summary>
internal static class PostgresTextResults
{
    private static readonly Action<NpgsqlBatch, bool> SetAllUnknown = Find();

    /// <summary>Marks every result column of <paramref name="batch"/> as unknown, so the server sends text.</summary>
    public static void Request(NpgsqlBatch batch) => SetAllUnknown(batch, true);

    private static Action<NpgsqlBatch, bool> Find()
    {
        var property = typeof(NpgsqlBatch).GetProperty("AllResultTypesAreUnknown", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException($"This Npgsql ({typeof(NpgsqlBatch).Assembly.GetName().Version}) has no NpgsqlBatch.AllResultTypesAreUnknown; JitGate's PostgreSQL runner needs text results in a batch.");
        var setter = property.GetSetMethod(nonPublic: true)
            ?? throw new InvalidOperationException("NpgsqlBatch.AllResultTypesAreUnknown cannot be set.");
        return setter.CreateDelegate<Action<NpgsqlBatch, bool>>();
    }
}
