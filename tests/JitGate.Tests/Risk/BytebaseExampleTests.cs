using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Core.Features.Risk;
using JitGate.Core.Policy.Cel;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Risk;

/// <summary>
/// The condition examples of Bytebase's documentation for risk and approval rules, as teams bring them
/// over. Sources (docs.bytebase.com, bytebase/bytebase.com at f506969): change-database/approval
/// ("Examples"), administration/risks, tutorials/database-change-management-with-risk-adjusted-approval-flow,
/// tutorials/manage-general-settings-with-terraform (the older unprefixed names), and the forms the issue
/// quotes from Bytebase's request-role risk factors.
/// </summary>
public sealed class BytebaseExampleTests
{
    private static RiskContext Context(string environment, string table = "salary", string engine = "postgres", long days = 1, string role = "sqlEditorUser") =>
        new(environment, "sample", "hr_" + environment, engine, [table, "title"], role, days, DateTimeOffset.UnixEpoch);

    /// <summary>Examples whose variables a request-role rule has: each saves and evaluates as Bytebase documents it.</summary>
    public static TheoryData<string, RiskContext, RiskContext> Applicable => new()
    {
        // change-database/approval, "Examples" (Change Database, Create Database, Request Role rows).
        { "resource.environment_id == \"prod\"", Context("prod"), Context("test") },
        { "resource.environment_id == \"dev\"", Context("dev"), Context("prod") },
        // change-database/approval, "Examples" (Export Data row): any table of the scope named salary.
        { "resource.table_name == \"salary\"", Context("prod"), Context("prod", table: "employee") },
        // tutorials/manage-general-settings-with-terraform, the DDL rule in the older unprefixed form.
        { "environment_id == \"prod\"", Context("prod"), Context("test") },
        // Bytebase's request-role risk factors as the issue quotes them.
        { "resource.environment_id == \"prod\" && request.expiration_days > 30", Context("prod", days: 31), Context("prod", days: 30) },
        { "request.role == \"roles/sqlEditorUser\"", Context("test"), Context("test", role: "projectDeveloper") },
        { "resource.db_engine == \"POSTGRES\"", Context("test"), Context("test", engine: "sqlite") },
    };

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Documented_examples_evaluate_as_documented(string condition, RiskContext matching, RiskContext other)
    {
        var rule = RiskRuleSet.Compile(1, RiskSources.RequestRole, RiskLevels.High, "example", condition);
        Assert.Equal(RiskLevels.High, RiskRuleSet.Evaluate([rule], RiskSources.RequestRole, [matching]));
        Assert.Equal(RiskLevels.Low, RiskRuleSet.Evaluate([rule], RiskSources.RequestRole, [other]));
    }

    /// <summary>
    /// Examples for Change Database flows only: their variables (risk_level, statement.*, affected_rows,
    /// sql_type) describe SQL statements, which an access request has none of; Bytebase does not offer them
    /// for Request Role either. They are refused at the unknown name, which the message names.
    /// </summary>
    [Theory]
    [InlineData("risk_level == \"HIGH\"", "risk_level", 0)] // administration/risks
    [InlineData("risk_level == \"MODERATE\" && resource.environment_id == \"prod\"", "risk_level", 0)] // administration/risks
    [InlineData("statement.sql_type == \"ALTER_TABLE\" && resource.environment_id == \"prod\"", "statement.sql_type", 0)] // tutorials/...risk-adjusted-approval-flow
    [InlineData("statement.sql_type == \"CREATE_TABLE\" && resource.environment_id == \"prod\"", "statement.sql_type", 0)] // tutorials/...risk-adjusted-approval-flow
    [InlineData("environment_id == \"prod\" && affected_rows >= 100", "affected_rows", 28)] // tutorials/manage-general-settings-with-terraform
    [InlineData("sql_type == 'ALTER_TABLE'", "sql_type", 0)] // tutorials/...risk-adjusted-approval-flow, before 3.11
    public void Examples_for_statement_sources_are_refused_at_the_statement_variable(string condition, string name, int position)
    {
        var e = Assert.Throws<CelException>(() => CelCompiler.Compile(condition, RiskContext.Variables));
        Assert.Contains($"Unknown variable '{name}'", e.Message, StringComparison.Ordinal);
        Assert.Equal(position, e.Position);
    }

    [Fact]
    public async Task Documented_examples_save_over_http()
    {
        await using var app = new JitGateApp();
        var admin = await Api.SignupAdminAsync(app);
        var rules = Applicable.Select((row, i) => new { source = "requestRole", level = "high", title = $"example {i + 1}", condition = (string)row[0] }).ToArray();
        var response = await admin.Http.PutAsJsonAsync("/api/v1/settings/risk-rules", rules);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var saved = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(rules.Select(r => r.condition), saved.Select(r => r!["condition"]!.GetValue<string>()));
        // The sample workspace has no "dev" environment: that example saves, with a warning saying so.
        Assert.Equal(["example 2"], saved.Where(r => r!["warnings"]!.AsArray().Count > 0).Select(r => r!["title"]!.GetValue<string>()));
    }
}
