using JitGate.Core.Domain;

namespace JitGate.Core.Features.Catalog;

public sealed record EnvironmentDto(string Id, string Name, bool Protected);

public sealed record ProjectDto(string Id, string Title, bool AllowSelfApproval)
{
    public static ProjectDto From(Project p) => new(p.Id, p.Title, p.AllowSelfApproval);
}

public sealed record DatabaseDto(string Id, string Name, string? Project, string Environment, string Instance, string Engine);

public sealed record ColumnDto(string Name, string Type);

public sealed record TableDto(string Schema, string Name, string Kind, List<ColumnDto> Columns);

public sealed record InstanceDto(string Id, string Name, string Engine, string Environment, List<DatabaseDto> Databases);
