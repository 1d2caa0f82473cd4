using System.Net;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests;

/// <summary>The OpenAPI document as a contract: what it declares, checked by the tools clients are made with.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];
    private readonly JitGateApp _app = new();
    private string _folder = "";
    private string _document = "";

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("jitgate-openapi-").FullName;
        using var client = _app.CreateClient();
        _document = await client.GetStringAsync("/openapi/v1.json");
        await File.WriteAllTextAsync(Path.Combine(_folder, "openapi.json"), _document);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private IEnumerable<(string Key, JsonObject Operation)> Operations() =>
        JsonNode.Parse(_document)!["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(m => Methods.Contains(m.Key)).Select(m => ($"{m.Key.ToUpperInvariant()} {p.Key}", m.Value!.AsObject())));

    [Fact]
    public async Task The_openapi_document_describes_the_api_and_the_reference_page_is_served()
    {
        using var client = _app.CreateClient();
        var paths = JsonNode.Parse(_document)!["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[] { "/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/query", "/api/v1/projects/{project}/bindings", "/api/v1/audit", "/api/v1/instances" })
        {
            Assert.Contains(path, paths);
        }
        var page = await client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("JitGate", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_operation_names_itself_says_how_to_authenticate_and_declares_its_problems()
    {
        var schemes = JsonNode.Parse(_document)!["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("bearer", schemes["bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("jitgate.session", schemes["consoleSession"]!["name"]!.GetValue<string>());
        var missing = new List<string>();
        var ids = new List<string>();
        foreach (var (key, operation) in Operations())
        {
            if (operation["operationId"]?.GetValue<string>() is { Length: > 0 } id) ids.Add(id);
            else missing.Add($"{key}: no operationId (.WithName)");
            if (operation["summary"] is null) missing.Add($"{key}: no summary (.WithSummary)");
            var security = operation["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList();
            if (security is null) missing.Add($"{key}: no security");
            var responses = operation["responses"]!.AsObject();
            bool Problem(string status) => responses[status]?["content"]?["application/problem+json"] is not null;
            if (security is not null && security.Count > 0 && !Problem("401")) missing.Add($"{key}: authenticated but declares no 401 problem");
            if (operation["requestBody"] is not null && !Problem("400")) missing.Add($"{key}: takes a body but declares no 400 problem");
            if (key.Contains("{id}", StringComparison.Ordinal) && !Problem("404")) missing.Add($"{key}: names a resource but declares no 404 problem");
            if (!responses.Any(r => r.Key.StartsWith('2'))) missing.Add($"{key}: no success answer");
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        var slack = Operations().Single(o => o.Key == "POST /api/v1/integrations/slack/commands").Operation;
        Assert.NotNull(slack["requestBody"]!["content"]!["application/x-www-form-urlencoded"]);
        Assert.Equal("slackSignature", slack["security"]![0]!.AsObject().Single().Key);
    }

    [Fact]
    public async Task Redocly_lint_with_the_recommended_rules_finds_no_error()
    {
        var (exit, output) = await NodeTools.RunAsync("redocly", _folder, "lint", "openapi.json", "--extends", "recommended", "--format", "summary", "--max-problems", "1000");
        Assert.True(exit == 0, $"redocly lint failed:\n{output}");
        Assert.DoesNotContain("error ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_typescript_client_generated_from_the_document_compiles_under_strict()
    {
        var (generated, generation) = await NodeTools.RunAsync("openapi-typescript", _folder, "openapi.json", "-o", "api.d.ts");
        Assert.True(generated == 0, generation);
        // Uses the generated types the way a client would: bodies, answers and problems must exist and fit.
        await File.WriteAllTextAsync(Path.Combine(_folder, "client.ts"), """
            import type { paths, components, operations } from "./api";
            type Body<O> = O extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
            type Answer<O, S extends number> = O extends { responses: { [K in S]: { content: { "application/json": infer A } } } } ? A : never;
            const login: Body<operations["logIn"]> = { email: "dev@example.com", password: "secret-password" };
            const query: Body<paths["/api/v1/query"]["post"]> = { database: "hr_prod", statement: "select 1" };
            type QueryAnswer = Answer<operations["runQuery"], 200>;
            const columns = (a: QueryAnswer): number => a.columns.length;
            type Problem = components["schemas"]["ProblemDetails"];
            const denied: operations["runQuery"]["responses"][403]["content"]["application/problem+json"] = { type: "urn:jitgate:problem:access-denied", status: 403 };
            const request: Body<operations["createAccessRequest"]> = { reason: "incident 42", duration: "PT4H", scope: { databases: ["hr_prod"] } };
            const problem: Problem = denied;
            export { login, query, columns, request, problem };
            """);
        var (compiled, compilation) = await NodeTools.RunAsync("tsc", _folder, "--strict", "--noEmit", "--target", "es2022", "--module", "es2022", "client.ts");
        Assert.True(compiled == 0, $"tsc --strict failed:\n{compilation}");
    }
}
