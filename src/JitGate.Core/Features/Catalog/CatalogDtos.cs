using JitGate.Core.Domain;

namespace JitGate.Core.Features.Catalog;

/// <summary>An environment; <see cref="MaxAccessDuration"/> is its own maximum access duration, when it has one.</summary>
public sealed record EnvironmentDto(string Id, string Name, bool Protected)
{
    public string? MaxAccessDuration { get; init; }
}

public sealed record ProjectDto(string Id, string Title, bool AllowSelfApproval)
{
    public static ProjectDto From(Project p) => new(p.Id, p.Title, p.AllowSelfApproval);
}

public sealed record DatabaseDto(string Id, string Name, string? Project, string Environment, string Instance, string Engine);

public sealed record ColumnDto(string Name, string Type);

public sealed record TableDto(string Schema, string Name, string Kind, List<ColumnDto> Columns);

/// <summary>Something every login can reach regardless of JitGate's grants, in <paramref name="Database"/>, and the SQL that closes it.</summary>
/// <param name="Kind"><c>publicRead</c> (a table, view or column PUBLIC may read) or <c>publicDefinerFunction</c> (a SECURITY DEFINER function PUBLIC may execute).</param>
/// <param name="Database">The database id.</param>
/// <param name="Target">schema.table, schema.table.column, or the function's signature (<c>object</c> on the wire).</param>
/// <param name="Detail">What is exposed, for people.</param>
/// <param name="Fix">The statement that closes it.</param>
public sealed record InstanceWarningDto(string Kind, string Database, [property: System.Text.Json.Serialization.JsonPropertyName("object")] string Target, string Detail, string Fix);

/// <summary>A registered instance, its databases, and what PUBLIC exposes in them (PostgreSQL).</summary>
public sealed record InstanceDto(string Id, string Name, string Engine, string Environment, List<DatabaseDto> Databases, List<InstanceWarningDto> Warnings);
