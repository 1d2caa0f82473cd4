using System.Net;
using JitGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JitGate.Tests.Identity;

/// <summary>A provider that cannot be reached when someone chooses single sign-on: told on the sign-in page, not a 500.</summary>
public sealed class OidcUnreachableTests
{
    [Fact]
    public async Task Choosing_single_sign_on_while_the_provider_is_down_returns_to_sign_in_saying_so()
    {
        await using var app = new JitGateApp(settings: new()
        {
            // Nothing listens on port 1 of the loopback: the discovery document cannot be fetched.
            ["JitGate:Oidc:Authority"] = "http://127.0.0.1:1/realms/jitgate",
            ["JitGate:Oidc:ClientId"] = "jitgate",
            ["JitGate:Oidc:ClientSecret"] = "client-secret-0123456789",
        });
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var answer = await browser.GetAsync("/account/login/oidc?returnUrl=%2Fsql-editor");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith("/login", answer.Headers.Location!.OriginalString, StringComparison.Ordinal);
        // The message travels protected in "e", as every sign-in error does.
        Assert.Contains("?e=", answer.Headers.Location.OriginalString, StringComparison.Ordinal);
    }
}
