using System.Net;
using System.Text;
using System.Text.Json;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Hardening;

/// <summary>Control and bidirectional override characters never reach storage; multi-line text keeps its newlines and tabs.</summary>
public sealed class TextFieldTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Task<HttpResponseMessage> SendAsync(Api api, HttpMethod method, string url, object body) =>
        api.Http.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") });

    private static readonly string[] Refused =
    [
        "a\r\nX: 1", "a\nb", "tab\there", "nul\u0000", "bell\u0007", "del\u007f", "c1\u0085", "csi\u009b",
        "rlo\u202egnp.exe", "lri\u2066x\u2069", "lre\u202ax",
    ];

    [Fact]
    public async Task Single_line_fields_refuse_them_everywhere()
    {
        foreach (var text in Refused)
        {
            await RefusedEverywhereAsync(text);
        }
        Assert.Empty((await _dev.GetOkAsync("/api/v1/me/tokens")).AsArray());
        Assert.DoesNotContain((await _admin.GetOkAsync("/api/v1/users")).AsArray(), u => u!["email"]!.GetValue<string>() == "x@example.com");
    }

    private async Task RefusedEverywhereAsync(string text)
    {
        foreach (var (api, method, url, body, field) in new (Api, HttpMethod, string, object, string)[]
        {
            (_dev, HttpMethod.Post, "/api/v1/me/tokens", new { name = text }, "name"),
            (_admin, HttpMethod.Post, "/api/v1/users", new { email = "x@example.com", name = text, password = "a-long-password-1" }, "name"),
            (_admin, HttpMethod.Put, "/api/v1/settings/slack", new { signingSecret = text }, "signingSecret"),
            (_admin, HttpMethod.Post, "/api/v1/projects", new { id = "p1", title = text }, "title"),
            (_admin, HttpMethod.Post, "/api/v1/service-accounts", new { name = text }, "name"),
            (_admin, HttpMethod.Post, "/api/v1/projects/sample/webhooks", new { type = "generic", url = "https://hooks.example/x", secret = text }, "secret"),
            (_admin, HttpMethod.Post, "/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com" + text, role = "projectDeveloper" }, "principal"),
        })
        {
            var problem = await Api.ProblemAsync(await SendAsync(api, method, url, body), HttpStatusCode.BadRequest, "invalid-text");
            Assert.Equal(field, problem["field"]!.GetValue<string>());
            Assert.Contains("U+", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Multi_line_fields_refuse_other_controls()
    {
        foreach (var text in new[] { "nul\u0000", "bell\u0007", "lone\rcr", "rlo\u202e" })
        {
            await MultiLineRefusedAsync(text);
        }
    }

    private async Task MultiLineRefusedAsync(string text)
    {
        await Api.ProblemAsync(await SendAsync(_dev, HttpMethod.Post, "/api/v1/projects/sample/access-requests",
            new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = text }), HttpStatusCode.BadRequest, "invalid-text");
        await Api.ProblemAsync(await SendAsync(_dev, HttpMethod.Post, "/api/v1/query", new { database = "hr_prod", statement = "select 1 " + text }),
            HttpStatusCode.BadRequest, "invalid-text");
        Assert.Empty((await _dev.GetOkAsync("/api/v1/projects/sample/access-requests")).AsArray());
    }

    [Fact]
    public async Task Multi_line_fields_keep_newlines_and_tabs()
    {
        var reason = "INC-42\r\nfirst line\n\tindented";
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason });
        Assert.Equal(reason, request["reason"]!.GetValue<string>());
    }
}
