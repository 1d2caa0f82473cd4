using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Engines;

namespace JitGate.Core.Features.Catalog;

/// <summary>
/// Keeps and shows what PUBLIC exposes in each database of an instance (<see cref="PostgresExposure"/>):
/// stored with the database at each sync, answered with the instance.
/// </summary>
public static class InstanceWarnings
{
    private sealed record Stored(string Kind, string Target, string Detail, string Fix);

    /// <summary>Replaces the database's warnings; null (an engine without PUBLIC) clears them.</summary>
    public static void Store(DatabaseEntity database, IReadOnlyList<ExposureFinding>? findings)
    {
        ArgumentNullException.ThrowIfNull(database);
        database.WarningsJson = findings is null ? null : Json.Serialize(findings.Select(f => new Stored(f.Kind, f.Target, f.Detail, f.Fix)));
    }

    /// <summary>The warnings of these databases, database by database.</summary>
    public static List<InstanceWarningDto> Of(IEnumerable<DatabaseEntity> databases) =>
        databases.OrderBy(d => d.Name, StringComparer.Ordinal)
            .SelectMany(d => (d.WarningsJson is null ? [] : Json.Deserialize<List<Stored>>(d.WarningsJson) ?? [])
                .Select(w => new InstanceWarningDto(w.Kind, d.Id, w.Target, w.Detail, w.Fix)))
            .ToList();

    /// <summary>The instance as the API answers it.</summary>
    public static InstanceDto ToDto(Instance instance, IReadOnlyCollection<DatabaseEntity> databases)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new InstanceDto(instance.Id, instance.Name, instance.Engine, instance.EnvironmentId,
            databases.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => Databases.ToDto(d, instance.Engine)).ToList(), Of(databases));
    }
}
