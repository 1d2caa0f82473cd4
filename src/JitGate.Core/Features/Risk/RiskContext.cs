using JitGate.Core.Policy.Cel;

namespace JitGate.Core.Features.Risk;

/// <summary>
/// What a requestRole risk condition sees: one database of the request's scope (and, for rules that
/// name a single table, one table of it). <paramref name="DbEngine"/> is JitGate's engine name
/// (<c>postgres</c>, <c>sqlite</c>); <paramref name="Role"/> a JitGate role (<c>sqlEditorUser</c>);
/// <paramref name="ExpirationDays"/> whole days, rounded up; <paramref name="RequestTime"/> when the
/// request is made; <paramref name="TableName"/> the table a per-table rule is looking at ("" for none).
/// </summary>
public sealed record RiskContext(
    string EnvironmentId, string ProjectId, string DatabaseName, string DbEngine, string[] TableNames, string Role, long ExpirationDays,
    DateTimeOffset RequestTime = default, string TableName = "")
{
    /// <summary>The status of the incident the request names (triggered, acknowledged, resolved); "" for none or a free-text reference.</summary>
    public string IncidentStatus { get; init; } = "";

    /// <summary>Bytebase spells roles as resource names.</summary>
    public const string BytebaseRolePrefix = "roles/";

    /// <summary>The variables that range over <see cref="TableNames"/> one table at a time.</summary>
    public static readonly IReadOnlySet<string> PerTableVariables = new HashSet<string>(StringComparer.Ordinal) { "table_name", "resource.table_name" };

    /// <summary>
    /// JitGate's names, and beside them Bytebase's (docs.bytebase.com, "Custom Approval" and the 3.11
    /// changelog's <c>resource.*</c> / <c>request.*</c> names). Bytebase's names carry Bytebase's value forms:
    /// <c>request.role</c> is <c>roles/sqlEditorUser</c> and <c>resource.db_engine</c> is upper case
    /// (<c>POSTGRES</c>), so conditions copied from Bytebase keep their meaning.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, CelVariableDef<RiskContext>> Variables = new Dictionary<string, CelVariableDef<RiskContext>>
    {
        ["environment_id"] = new(CelType.String, c => c.EnvironmentId),
        ["project_id"] = new(CelType.String, c => c.ProjectId),
        ["database_name"] = new(CelType.String, c => c.DatabaseName),
        ["db_engine"] = new(CelType.String, c => c.DbEngine),
        ["table_names"] = new(CelType.ListOf(CelType.String), c => c.TableNames),
        ["table_name"] = new(CelType.String, c => c.TableName),
        ["role"] = new(CelType.String, c => c.Role),
        ["expiration_days"] = new(CelType.Int, c => c.ExpirationDays),
        ["resource.environment_id"] = new(CelType.String, c => c.EnvironmentId),
        ["resource.project_id"] = new(CelType.String, c => c.ProjectId),
        ["resource.database_name"] = new(CelType.String, c => c.DatabaseName),
        ["resource.db_engine"] = new(CelType.String, c => BytebaseEngine(c.DbEngine)),
        ["resource.table_names"] = new(CelType.ListOf(CelType.String), c => c.TableNames),
        ["resource.table_name"] = new(CelType.String, c => c.TableName),
        ["request.role"] = new(CelType.String, c => BytebaseRolePrefix + c.Role),
        ["request.expiration_days"] = new(CelType.Int, c => c.ExpirationDays),
        ["request.time"] = new(CelType.Timestamp, c => c.RequestTime),
        ["incident_status"] = new(CelType.String, c => c.IncidentStatus),
        ["request.incident.status"] = new(CelType.String, c => c.IncidentStatus),
    };

    /// <summary>Bytebase's engine enum name for a JitGate engine: <c>postgres</c> → <c>POSTGRES</c>.</summary>
    public static string BytebaseEngine(string engine) => engine.ToUpperInvariant();
}
