using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;
using Xunit.Abstractions;

namespace JitGate.Tests.Hardening;

/// <summary>
/// Every operation of the server's own OpenAPI document, called with wrong types, nulls, huge numbers and
/// strings, control characters, bad durations and times in each field, each path and query parameter,
/// and as the whole body. No answer may be a 5xx, and the server may log no error.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync() => _admin = await Api.SignupAdminAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly string Deep = string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + string.Concat(Enumerable.Repeat("}", 200));

    /// <summary>JSON texts put in place of one field's value.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1.5", "1e308", "-9223372036854775809", "9223372036854775808", "99999999999999999999999",
        "\"\"", "\" \"", $"\"{new string('x', 100_000)}\"", "\"\\u0000\"", "\"a\\r\\nX: 1\"", "\"\\u202e\"", "\"\\ud800\"",
        "\"P99999999999Y\"", "\"P10000Y\"", "\"PT0S\"", "\"-PT1H\"", "\"PT1H \"", "\"2026-13-45T99:99:99Z\"", "\"2026-12-01T00:00:00\"",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59+14:00\"", "[]", "[null]", "[1]", "[\"\"]", "{}", "{\"a\":null}", Deep,
        "[" + string.Join(",", Enumerable.Repeat("\"x\"", 5000)) + "]",
    ];

    /// <summary>
    /// Valid bodies for the operations that take one, so that a mutated field is judged deep in the
    /// handler rather than refused for a missing neighbour; keyed by path template suffix.
    /// </summary>
    private static readonly Dictionary<string, string> Baselines = new(StringComparer.Ordinal)
    {
        ["/projects/{project}/bindings"] = """{"principal":"user:admin@example.com","role":"sqlEditorUser","duration":"PT1H","reason":"r","scope":{"databases":["hr_prod"],"tables":[{"database":"hr_test","table":"employee"}]}}""",
        ["/workspace/bindings"] = """{"principal":"user:admin@example.com","role":"projectDeveloper","reason":"r"}""",
        ["/projects/{project}/access-requests"] = """{"role":"sqlEditorUser","duration":"PT1H","reason":"r","scope":{"tables":[{"database":"hr_prod","table":"salary"}]}}""",
        ["/projects/{project}/access-requests/preview"] = """{"role":"sqlEditorUser","duration":"PT1H","reason":"r","scope":{"databases":["hr_prod"]}}""",
        ["/query"] = """{"database":"hr_prod","statement":"select 1","maxRows":10}""",
        ["/me/tokens"] = """{"name":"t","duration":"P1D"}""",
        ["/service-accounts"] = """{"name":"svc","workspaceRole":"workspaceMember","duration":"P1D"}""",
        ["/users"] = """{"email":"fuzz@example.com","name":"Fuzz","password":"fuzz-password-1","workspaceRole":"workspaceMember"}""",
        ["/instances"] = """{"name":"fuzz","engine":"sqlite","environment":"test","path":"/tmp/none.db"}""",
        ["/settings/workspace"] = """{"signupOpen":false,"maxAccessDuration":"P30D"}""",
        ["/settings/risk-rules"] = """[{"source":"requestRole","level":"high","title":"t","condition":"environment_id == \"prod\""}]""",
        ["/settings/approval-flows"] = """[{"source":"requestRole","level":"high","steps":["projectOwner"]}]""",
        ["/projects/{project}/webhooks"] = """{"type":"generic","url":"https://hooks.example/x","events":["requestCreated"],"secret":"s"}""",
        ["/projects"] = """{"id":"fuzzp","title":"Fuzz","allowSelfApproval":false}""",
        ["/groups"] = """{"email":"g@example.com","name":"G","members":["admin@example.com"]}""",
        ["/settings/slack"] = """{"signingSecret":"s","botToken":"b"}""",
    };

    /// <summary>Whole bodies.</summary>
    private static readonly string[] Bodies = ["", "null", "[]", "\"x\"", "1", "{", "{\"a\":", Deep, "{\"scope\":{\"tables\":[null]}}"];

    /// <summary>Path and query parameter values (already URL-encoded where needed).</summary>
    private static readonly string[] Parameters =
    [
        "0", "-1", "9223372036854775808", "abc", Uri.EscapeDataString(new string('x', 3000)), "%2e%2e", "%C3%A9", "%20", "1.5",
        "2026-12-01T00:00:00", "null", "%0D%0AX:1", "%E2%80%AE",
    ];

    [Fact]
    public async Task No_operation_answers_5xx_to_hostile_input()
    {
        var document = await _admin.GetOkAsync("/openapi/v1.json");
        var schemas = document["components"]?["schemas"]?.AsObject();
        var sent = 0;
        var failures = new List<string>();

        async Task SendAsync(string method, string path, string? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = await _admin.Http.SendAsync(request);
            sent++;
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{method} {path} {Shorten(body)} -> {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
            }
            else if (response.StatusCode == HttpStatusCode.Unauthorized && path != "/api/v1/me")
            {
                // A call that ended the admin's own session (a revoke of its token): sign in again.
                await _admin.LoginAsync("admin@example.com", "admin-password-1");
            }
        }

        foreach (var (template, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                if (template.EndsWith("/auth/logout", StringComparison.Ordinal)) continue;
                var parameters = operation!["parameters"]?.AsArray().Select(p => (Name: p!["name"]!.GetValue<string>(), In: p["in"]!.GetValue<string>())).ToList() ?? [];
                var pathNames = parameters.Where(p => p.In == "path").Select(p => p.Name).ToList();
                var queryNames = parameters.Where(p => p.In == "query").Select(p => p.Name).ToList();
                string Path(string value) => pathNames.Aggregate(template, (t, name) => System.Text.RegularExpressions.Regex.Replace(t, "\\{" + name + "(:[^}]*)?\\}", value));
                var fields = BodyFields(operation["requestBody"], schemas);
                var hasBody = operation["requestBody"] is not null;
                var baseline = hasBody ? "{}" : null;

                foreach (var value in Parameters)
                {
                    if (pathNames.Count > 0) await SendAsync(method.ToUpperInvariant(), Path(value), baseline);
                    foreach (var query in queryNames) await SendAsync(method.ToUpperInvariant(), Path("1") + $"?{query}={value}", baseline);
                }
                if (!hasBody) continue;
                foreach (var body in Bodies) await SendAsync(method.ToUpperInvariant(), Path("1"), body);
                var valid = Baselines.FirstOrDefault(b => template.EndsWith(b.Key, StringComparison.Ordinal)).Value;
                foreach (var field in fields)
                {
                    foreach (var value in Values)
                    {
                        await SendAsync(method.ToUpperInvariant(), Path("1"), $"{{\"{field}\":{value}}}");
                        if (valid is not null) await SendAsync(method.ToUpperInvariant(), Path("sample"), WithField(valid, field, value));
                    }
                }
            }
        }

        output.WriteLine($"{sent} requests fuzzed, {failures.Count} answered 5xx");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests answered 5xx:\n{string.Join("\n", failures.Take(30))}");
        Assert.True(sent > 2000, $"only {sent} requests were sent: the OpenAPI document lost its operations?");
    }

    /// <summary>The valid body with one field (at any depth, in the first element of an array) replaced by <paramref name="value"/>.</summary>
    private static string WithField(string valid, string field, string value)
    {
        if (value.Contains("\\ud8", StringComparison.Ordinal) || value.StartsWith("{\"a\":{", StringComparison.Ordinal))
        {
            // A lone surrogate, or nesting deeper than a JsonNode reads, goes in as text in place of a marker.
            return WithField(valid, field, "\"__raw__\"").Replace("\"__raw__\"", value, StringComparison.Ordinal);
        }
        var root = JsonNode.Parse(valid)!;
        var replacement = JsonNode.Parse(value);
        bool Replace(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj when obj.ContainsKey(field):
                    obj[field] = replacement?.DeepClone();
                    return true;
                case JsonObject obj:
                    return obj.Select(p => p.Value).ToList().Any(Replace);
                case JsonArray array:
                    return array.ToList().Any(Replace);
                default:
                    return false;
            }
        }
        if (!Replace(root) && root is JsonObject top) top[field] = replacement?.DeepClone();
        return root.ToJsonString();
    }

    /// <summary>The property names of an operation's JSON body, nested objects' names included as their own fields.</summary>
    private static List<string> BodyFields(JsonNode? requestBody, JsonObject? schemas)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? schema, int depth)
        {
            if (schema is null || depth > 4) return;
            if (schema["$ref"]?.GetValue<string>() is { } reference)
            {
                Walk(schemas?[reference.Split('/')[^1]], depth + 1);
                return;
            }
            foreach (var option in schema["oneOf"]?.AsArray() ?? schema["anyOf"]?.AsArray() ?? []) Walk(option, depth + 1);
            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            {
                fields.Add(name);
                Walk(property, depth + 1);
            }
            Walk(schema["items"], depth + 1);
        }
        Walk(requestBody?["content"]?["application/json"]?["schema"], 0);
        return fields.Order(StringComparer.Ordinal).ToList();
    }

    private static string Shorten(string? s) => s is null ? "" : s.Length > 160 ? s[..160] + "…" : s;
}
