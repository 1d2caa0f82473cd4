using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using JitGate.Core.Features.Events;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Integrations;

/// <summary>
/// The JSON Schemas in docs/webhooks/ are the webhook contract: every event JitGate sends is provoked here
/// for real, delivered to a real receiver, and each body is checked against its event's schema.
/// </summary>
public sealed class WebhookSchemaTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Receiver _receiver = null!;
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _receiver = await Receiver.StartAsync();
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "projectOwner" });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private static string SchemaFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JitGate.slnx"))) return Path.Combine(dir.FullName, "docs", "webhooks");
        }
        throw new InvalidOperationException("The repository root (JitGate.slnx) was not found above the test binaries.");
    }

    private static JsonSchema SchemaFor(string eventName) => JsonSchema.FromText(File.ReadAllText(Path.Combine(SchemaFolder(), eventName + ".schema.json")));

    /// <summary>The schema's complaints about a body, as readable lines; empty when it conforms.</summary>
    private static List<string> Problems(JsonSchema schema, JsonNode body)
    {
        var result = schema.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return result.IsValid ? [] : result.Details.Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).ToList();
    }

    private bool Received(string eventName) => _receiver.Requests.Any(r => JsonNode.Parse(r.Body)!["event"]!.GetValue<string>() == eventName);

    private async Task ReceivedAsync(string eventName) => await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(Received(eventName)));

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public void Every_event_has_a_schema_and_every_schema_an_event()
    {
        var files = Directory.GetFiles(SchemaFolder(), "*.schema.json").Select(f => Path.GetFileName(f)[..^".schema.json".Length]).Order().ToList();
        Assert.Equal(EventNames.All.Append("ping").Order().ToList(), files);
    }

    [Fact]
    public async Task Every_event_as_delivered_has_version_1_and_matches_its_schema()
    {
        var hook = await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url + "/hook" });
        var hookId = hook["id"]!.GetValue<long>();
        var scope = new { databases = new[] { "hr_prod" } };
        Task<JsonNode> RequestAsync(string reason) => _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope, duration = "PT1H", reason });

        // Requests: created, waiting, approved (with the access it gave), rejected, canceled.
        var approved = await RequestAsync("incident 1 & <!here>");
        var decided = await _admin.PostOkAsync($"/api/v1/access-requests/{approved["id"]}/approve", new { }, HttpStatusCode.OK);
        var rejected = await RequestAsync("incident 2");
        await _admin.PostOkAsync($"/api/v1/access-requests/{rejected["id"]}/reject", new { comment = "no" }, HttpStatusCode.OK);
        var canceled = await RequestAsync("incident 3");
        await _dev.PostOkAsync($"/api/v1/access-requests/{canceled["id"]}/cancel", new { }, HttpStatusCode.OK);
        // Access: revoked, given back... expiring, expired, starting.
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{decided["bindingId"]}")).StatusCode);
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT1H" });
        await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } },
            startsAt = Iso(_app.Clock.GetUtcNow().AddMinutes(30)), duration = "PT4H",
        });
        // A pending request nobody decides, and break-glass whose review nobody does.
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new
        {
            pendingRequestTtl = "PT2H",
            breakGlass = new { enabled = true, roles = new[] { "sqlEditorUser" }, environments = new[] { "prod" }, maxDuration = "PT1H" },
        })).StatusCode);
        await RequestAsync("incident 4");
        await _dev.PostOkAsync("/api/v1/projects/sample/break-glass", new { scope, reason = "db down" });
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.Http.PostAsync($"/api/v1/projects/sample/webhooks/{hookId}/test", null)).StatusCode);

        foreach (var now in new[] { "requestCreated", "approvalNeeded", "requestApproved", "requestRejected", "requestCanceled", "accessRevoked", "breakGlassActivated", "ping" })
        {
            await ReceivedAsync(now);
        }
        _app.Clock.Advance(TimeSpan.FromMinutes(50));
        await ReceivedAsync(EventNames.AccessStarting);
        await ReceivedAsync(EventNames.AccessExpiringSoon);
        _app.Clock.Advance(TimeSpan.FromMinutes(15));
        await ReceivedAsync(EventNames.AccessExpired);
        _app.Clock.Advance(TimeSpan.FromHours(2));
        await ReceivedAsync(EventNames.RequestExpired);
        _app.Clock.Advance(TimeSpan.FromHours(23));
        await ReceivedAsync(EventNames.BreakGlassReviewOverdue);

        var seen = new HashSet<string>();
        foreach (var delivery in _receiver.Requests)
        {
            var body = JsonNode.Parse(delivery.Body)!;
            var name = body["event"]!.GetValue<string>();
            seen.Add(name);
            Assert.Equal(1, body["version"]!.GetValue<int>());
            var problems = Problems(SchemaFor(name), body);
            Assert.True(problems.Count == 0, $"{name} does not match docs/webhooks/{name}.schema.json:\n{string.Join('\n', problems)}\n{delivery.Body}");
        }
        Assert.Equal(EventNames.All.Append("ping").Order(), seen.Order());
    }

    [Fact]
    public void The_schemas_refuse_what_breaks_the_contract()
    {
        // A conforming body, then the same body with each kind of break: the check can fail.
        var body = JsonNode.Parse("""
            {"version":1,"id":"0190f3c1a2b34c5d8e9f001122334455","event":"accessExpired","occurredAt":"2026-11-30T10:00:00+00:00",
             "project":"sample","link":"https://jitgate.example/projects/sample/members",
             "binding":{"id":7,"principal":"user:dev@example.com","role":"sqlEditorUser","expiresAt":"2026-11-30T10:00:00+00:00"}}
            """)!;
        var schema = SchemaFor("accessExpired");
        Assert.Empty(Problems(schema, body));
        foreach (var broken in new Action<JsonNode>[]
        {
            b => b.AsObject().Remove("version"),
            b => b["version"] = 2,
            b => b["event"] = "accessRevoked",
            b => b["occurredAt"] = "2026-11-30T10:00:00",
            b => b["binding"]!.AsObject().Remove("expiresAt"),
            b => b["binding"]!["id"] = "7",
        })
        {
            var copy = body.DeepClone();
            broken(copy);
            Assert.NotEmpty(Problems(schema, copy));
        }
    }
}
