using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Risk;

/// <summary>Risk rules over HTTP: what saves, what is refused with where, warnings, and previews that fail closed.</summary>
public sealed class RiskRuleHttpTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    private static readonly object ProdTables = new
    {
        tables = new[] { new { database = "hr_prod", table = "salary" }, new { database = "hr_prod", table = "title" } },
    };

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.PostOkAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> PutRulesAsync(params (string Level, string Condition)[] rules) =>
        _admin.Http.PutAsJsonAsync("/api/v1/settings/risk-rules",
            rules.Select((r, i) => new { source = "requestRole", level = r.Level, title = $"rule {i + 1}", condition = r.Condition }).ToArray());

    private async Task<JsonArray> SaveAsync(params (string Level, string Condition)[] rules)
    {
        var response = await PutRulesAsync(rules);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsArray();
    }

    private Task<JsonNode> PreviewAsync(object? scope = null) =>
        _dev.PostOkAsync("/api/v1/projects/sample/access-requests/preview", new { scope = scope ?? ProdTables, duration = "PT4H", reason = "check" }, HttpStatusCode.OK);

    private async Task<JsonObject> RefusedAsync(int ruleIndex, params (string Level, string Condition)[] rules)
    {
        var problem = await Api.ProblemAsync(await PutRulesAsync(rules), HttpStatusCode.BadRequest, "validation");
        Assert.Equal(ruleIndex, problem["ruleIndex"]!.GetValue<int>());
        Assert.Contains($"Rule {ruleIndex + 1} (rule {ruleIndex + 1})", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        return problem;
    }

    [Fact]
    public async Task An_invalid_pattern_is_refused_when_saved_and_previews_keep_working()
    {
        var problem = await RefusedAsync(1, ("high", "environment_id == \"prod\""), ("high", "database_name.matches(\"[\")"));
        Assert.Equal(22, problem["position"]!.GetValue<int>());
        Assert.Empty((await _admin.GetOkAsync("/api/v1/settings/risk-rules")).AsArray());
        Assert.Equal("low", (await PreviewAsync())["riskLevel"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_catastrophic_backtracking_pattern_and_the_smallest_int_evaluate_without_server_errors()
    {
        await SaveAsync(("high", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\".matches(\"^(a+)+$\")"), ("moderate", "-9223372036854775808 < 0"));
        var preview = await PreviewAsync();
        Assert.Equal("moderate", preview["riskLevel"]!.GetValue<string>());
        Assert.DoesNotContain(preview["riskReasons"]!.AsArray(), r => r!["failed"]!.GetValue<bool>());
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT4H", reason = "incident" });
        Assert.Equal("moderate", request["riskLevel"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rule_that_fails_at_evaluation_counts_as_matched_and_the_preview_says_so()
    {
        await SaveAsync(("moderate", "environment_id == \"prod\""), ("high", "table_names[5] == \"salary\""));
        var preview = await PreviewAsync();
        Assert.Equal("high", preview["riskLevel"]!.GetValue<string>());
        var failed = Assert.Single(preview["riskReasons"]!.AsArray(), r => r!["failed"]!.GetValue<bool>())!;
        Assert.Equal("rule 2", failed["rule"]!.GetValue<string>());
        Assert.Equal("hr_prod", failed["database"]!.GetValue<string>());
        Assert.Contains("index out of range", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var matched = Assert.Single(preview["riskReasons"]!.AsArray(), r => !r!["failed"]!.GetValue<bool>())!;
        Assert.Equal("moderate", matched["level"]!.GetValue<string>());

        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT4H", reason = "incident" });
        Assert.Equal("high", request["riskLevel"]!.GetValue<string>());
        var audited = Assert.Single((await _admin.GetOkAsync("/api/v1/audit?action=request.create")).AsArray())!;
        var reason = Assert.Single(audited["detail"]!["riskReasons"]!.AsArray(), r => r!["failed"]!.GetValue<bool>())!;
        Assert.Equal("rule 2", reason["rule"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_literal_no_known_value_equals_saves_with_a_warning()
    {
        var saved = await SaveAsync(
            ("high", "environment_id == \"Prod\""),
            ("low", "resource.db_engine == \"sqlite\" || request.role in [\"roles/sqlEditorUser\", \"sqlEditorUser\"]"),
            ("moderate", "environment_id == \"prod\" && \"salary\" in table_names"));
        var warning = Assert.Single(saved[0]!["warnings"]!.AsArray())!.GetValue<string>();
        Assert.Contains("environment_id is never \"Prod\"", warning, StringComparison.Ordinal);
        Assert.Contains("Did you mean \"prod\"?", warning, StringComparison.Ordinal);
        var engineAndRole = saved[1]!["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        Assert.Equal(2, engineAndRole.Count);
        Assert.Contains(engineAndRole, w => w.Contains("Did you mean \"SQLITE\"?", StringComparison.Ordinal));
        Assert.Contains(engineAndRole, w => w.Contains("Did you mean \"roles/sqlEditorUser\"?", StringComparison.Ordinal));
        Assert.Empty(saved[2]!["warnings"]!.AsArray());

        var again = await _admin.GetOkAsync("/api/v1/settings/risk-rules");
        Assert.Single(again[0]!["warnings"]!.AsArray());
        Assert.Equal("moderate", (await PreviewAsync())["riskLevel"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bytebase_names_and_value_forms_save_and_score_requests()
    {
        var saved = await SaveAsync(
            ("moderate", "resource.environment_id == \"prod\" && request.expiration_days > 1"),
            ("high", "resource.table_name == \"salary\" && request.role == \"roles/sqlEditorUser\" && resource.db_engine == \"SQLITE\""));
        Assert.All(saved, r => Assert.Empty(r!["warnings"]!.AsArray()));
        var preview = await PreviewAsync();
        Assert.Equal("high", preview["riskLevel"]!.GetValue<string>());
        var onlyTitle = new { tables = new[] { new { database = "hr_prod", table = "title" } } };
        Assert.Equal("low", (await PreviewAsync(onlyTitle))["riskLevel"]!.GetValue<string>());
        var longer = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests/preview",
            new { scope = onlyTitle, duration = "P2D", reason = "audit" }, HttpStatusCode.OK);
        Assert.Equal("moderate", longer["riskLevel"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_names_are_refused_with_their_position()
    {
        var problem = await RefusedAsync(0, ("high", "resource.environment == \"prod\""));
        Assert.Equal(0, problem["position"]!.GetValue<int>());
        Assert.Contains("resource.environment_id", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await RefusedAsync(0, ("high", "risk_level == \"HIGH\""));
    }

    [Fact]
    public async Task Deeply_nested_conditions_are_a_400_naming_the_rule_and_the_server_lives_on()
    {
        var deep = new[]
        {
            new string('(', 1250) + "true" + new string(')', 1250),
            new string('[', 1300) + new string(']', 1300) + " == []",
            string.Concat(Enumerable.Repeat("table_names.all(t, ", 150)) + "true" + new string(')', 150),
            string.Concat(Enumerable.Repeat("expiration_days + ", 200)) + "1 > 0",
            string.Concat(Enumerable.Repeat("{1: ", 700)) + "1" + new string('}', 700) + " == {}",
        };
        foreach (var condition in deep)
        {
            Assert.True(condition.Length < 4000);
            var problem = await RefusedAsync(1, ("low", "true"), ("high", condition));
            Assert.InRange(problem["position"]!.GetValue<int>(), 0, condition.Length);
            Assert.Contains("nests too deeply", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // Long flat chains are no deeper than a few levels, so they save and evaluate.
        await SaveAsync(
            ("moderate", string.Join(" && ", Enumerable.Repeat("environment_id == \"prod\"", 120))),
            ("low", new string('!', 3000) + "true"),
            ("high", new string('-', 3000) + "1 == 2"));
        Assert.Equal("moderate", (await PreviewAsync())["riskLevel"]!.GetValue<string>());
        Assert.Equal(3, (await _admin.GetOkAsync("/api/v1/settings/risk-rules")).AsArray().Count);
    }
}
