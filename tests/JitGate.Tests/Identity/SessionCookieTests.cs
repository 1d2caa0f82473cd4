using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JitGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JitGate.Tests.Identity;

/// <summary>
/// The console's session cookie: it ends everywhere at logout, it cannot be used by another site to
/// change anything, and tokens made with a token end with it.
/// </summary>
public sealed partial class SessionCookieTests : IAsyncLifetime
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

    /// <summary>Signs in through the console's form, as a browser does, and answers the session cookie's value.</summary>
    private async Task<string> SignInWithFormAsync(string email, string password, HttpClient? browserClient = null)
    {
        using var own = browserClient is null ? _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }) : null;
        var browser = browserClient ?? own!;
        var page = await browser.GetStringAsync("/login");
        var antiforgery = AntiforgeryField().Match(page).Groups[1].Value;
        var signedIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = password, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("jitgate.session=", StringComparison.Ordinal));
        return cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
    }

    /// <summary>A client that carries only the copied cookie, as a thief or another site's page would.</summary>
    private HttpClient WithCookie(string cookie)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_once_its_session_logs_out()
    {
        var cookie = await SignInWithFormAsync("dev@example.com", "user-password-1");
        using var copy = WithCookie(cookie);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/v1/me")).StatusCode);

        using var owner = WithCookie(cookie);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout");
        logout.Headers.Add("Origin", "http://localhost");
        logout.Headers.Add("Sec-Fetch-Site", "same-origin");
        logout.Headers.Add("X-JitGate-Csrf", "1");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.SendAsync(logout)).StatusCode);

        await Api.ProblemAsync(await copy.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("https://evil.example", null, true)]
    [InlineData("https://evil.example", "cross-site", true)]
    [InlineData(null, "cross-site", true)]
    [InlineData(null, "same-site", true)]
    [InlineData(null, null, true)]
    [InlineData("http://localhost", "same-origin", false)]
    public async Task A_cookie_alone_changes_nothing_from_another_site(string? origin, string? fetchSite, bool withHeader)
    {
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "incident" });
        await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "projectOwner" });
        var cookie = await SignInWithFormAsync("admin@example.com", "admin-password-1");
        using var attacker = WithCookie(cookie);

        foreach (var (method, url, body) in new (HttpMethod, string, HttpContent?)[]
        {
            (HttpMethod.Post, $"/api/v1/access-requests/{request["id"]}/approve", null),
            (HttpMethod.Post, $"/api/v1/access-requests/{request["id"]}/reject", new FormUrlEncodedContent([])),
            (HttpMethod.Post, "/api/v1/users", JsonContent.Create(new { email = "x@example.com", name = "x", password = "some-password-1" })),
            (HttpMethod.Delete, "/api/v1/me/tokens/1", null),
        })
        {
            using var message = new HttpRequestMessage(method, url) { Content = body };
            if (origin is not null) message.Headers.Add("Origin", origin);
            if (fetchSite is not null) message.Headers.Add("Sec-Fetch-Site", fetchSite);
            if (withHeader) message.Headers.Add("X-JitGate-Csrf", "1");
            await Api.ProblemAsync(await attacker.SendAsync(message), HttpStatusCode.Forbidden, "cross-site-request");
        }

        Assert.Equal("pendingApproval", (await _admin.GetOkAsync($"/api/v1/access-requests/{request["id"]}"))["status"]!.GetValue<string>());
        Assert.DoesNotContain((await _admin.GetOkAsync("/api/v1/users")).AsArray(), u => u!["email"]!.GetValue<string>() == "x@example.com");
    }

    [Fact]
    public async Task A_same_origin_call_with_the_header_works_with_the_cookie_and_bearer_calls_need_neither()
    {
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "incident" });
        var cookie = await SignInWithFormAsync("dev@example.com", "user-password-1");
        using var console = WithCookie(cookie);
        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/access-requests/{request["id"]}/cancel");
        cancel.Headers.Add("Sec-Fetch-Site", "same-origin");
        cancel.Headers.Add("X-JitGate-Csrf", "1");
        Assert.Equal(HttpStatusCode.OK, (await console.SendAsync(cancel)).StatusCode);

        // A bearer call with a foreign Origin is a script's call, not a forgery.
        var again = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "again" });
        using var bearer = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/access-requests/{again["id"]}/cancel");
        bearer.Headers.Add("Origin", "https://elsewhere.example");
        Assert.Equal(HttpStatusCode.OK, (await _dev.Http.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task A_token_made_with_a_token_ends_with_it()
    {
        var parent = await _dev.PostOkAsync("/api/v1/me/tokens", new { name = "parent", duration = "P7D" });
        var child = await _dev.PostOkAsync("/api/v1/me/tokens", new { name = "child", duration = "P30D" });
        using var withParent = _app.CreateClient();
        withParent.DefaultRequestHeaders.Authorization = new("Bearer", parent["token"]!.GetValue<string>());
        var grandchild = await withParent.PostAsJsonAsync("/api/v1/me/tokens", new { name = "grandchild", duration = "P300D" });
        Assert.Equal(HttpStatusCode.Created, grandchild.StatusCode);
        var minted = (await grandchild.Content.ReadFromJsonAsync<JsonObject>())!;
        // Never longer than the token it was made with.
        Assert.True(minted["expiresAt"]!.GetValue<DateTimeOffset>() <= parent["expiresAt"]!.GetValue<DateTimeOffset>());
        using var withGrandchild = _app.CreateClient();
        withGrandchild.DefaultRequestHeaders.Authorization = new("Bearer", minted["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await withGrandchild.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _dev.Http.DeleteAsync($"/api/v1/me/tokens/{parent["id"]}")).StatusCode);

        await Api.ProblemAsync(await withGrandchild.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
        await Api.ProblemAsync(await withParent.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
        // A token made with the password session is unaffected.
        using var withChild = _app.CreateClient();
        withChild.DefaultRequestHeaders.Authorization = new("Bearer", child["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await withChild.GetAsync("/api/v1/me")).StatusCode);
    }

    [GeneratedRegex("__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
