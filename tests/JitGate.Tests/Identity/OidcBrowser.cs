using System.Net;
using JitGate.TestOidcProvider;
using JitGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JitGate.Tests.Identity;

/// <summary>
/// What a browser does in a single sign-on: follows JitGate's redirect to the provider, fills in the
/// provider's form, follows the code back to JitGate, and keeps each site's cookies. JitGate runs in the
/// test server, the provider on a real port; each gets its own client, chosen by the address.
/// </summary>
public sealed class OidcBrowser : IDisposable
{
    private readonly TestOidcProvider.TestOidcProvider _provider;
    private readonly HttpClient _jitgate;
    private readonly HttpClient _idp;

    public OidcBrowser(JitGateApp app, TestOidcProvider.TestOidcProvider provider)
    {
        _provider = provider;
        _jitgate = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        _idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = provider.Issuer,
        };
    }

    /// <summary>JitGate's client, carrying the session cookie once signed in.</summary>
    public HttpClient JitGate => _jitgate;

    /// <summary>Signs in with single sign-on as <paramref name="person"/>; answers where JitGate sent the browser in the end (the console, or the sign-in page with an error).</summary>
    public async Task<Uri> SignInAsync(Person person)
    {
        var response = await _jitgate.GetAsync("/account/login/oidc?returnUrl=/sql-editor");
        for (var hop = 0; hop < 10; hop++)
        {
            if (response.StatusCode != HttpStatusCode.Redirect && response.StatusCode != HttpStatusCode.Found)
            {
                var body = await response.Content.ReadAsStringAsync();
                if (response.RequestMessage?.RequestUri?.AbsolutePath == "/login" && body.Contains("idp-username", StringComparison.Ordinal))
                {
                    response = await _idp.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["username"] = person.Username, ["password"] = person.Password,
                        ["returnUrl"] = System.Web.HttpUtility.ParseQueryString(response.RequestMessage.RequestUri.Query)["ReturnUrl"] ?? "/",
                    }));
                    continue;
                }
                throw new InvalidOperationException($"Sign-in stopped at {response.RequestMessage?.RequestUri} with {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
            }
            var location = response.Headers.Location!;
            var absolute = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            var atProvider = absolute.Port == _provider.Issuer.Port;
            if (!atProvider && absolute.AbsolutePath != "/signin-oidc" && absolute.AbsolutePath != "/account/login/oidc") return absolute;
            response = await (atProvider ? _idp : _jitgate).GetAsync(atProvider ? absolute : new Uri(absolute.PathAndQuery, UriKind.Relative));
        }
        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>Ends the provider's own session, so the next sign-in asks for the password again.</summary>
    public async Task SignOutAtProviderAsync() => (await _idp.PostAsync("/logout", null)).EnsureSuccessStatusCode();

    public void Dispose()
    {
        _jitgate.Dispose();
        _idp.Dispose();
    }
}
