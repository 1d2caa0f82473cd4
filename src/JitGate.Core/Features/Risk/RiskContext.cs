using JitGate.Core.Policy.Cel;

namespace JitGate.Core.Features.Risk;

/// <summary>What a requestRole risk condition sees: one database of the request's scope.</summary>
public sealed record RiskContext(
    string EnvironmentId, string ProjectId, string DatabaseName, string DbEngine, string[] TableNames, string Role, long ExpirationDays)
{
    public static readonly IReadOnlyDictionary<string, CelVariableDef<RiskContext>> Variables = new Dictionary<string, CelVariableDef<RiskContext>>
    {
        ["environment_id"] = new(CelType.Text, c => c.EnvironmentId),
        ["project_id"] = new(CelType.Text, c => c.ProjectId),
        ["database_name"] = new(CelType.Text, c => c.DatabaseName),
        ["db_engine"] = new(CelType.Text, c => c.DbEngine),
        ["table_names"] = new(CelType.TextList, c => c.TableNames),
        ["role"] = new(CelType.Text, c => c.Role),
        ["expiration_days"] = new(CelType.Number, c => c.ExpirationDays),
    };
}
