using JitGate.Core;
using JitGate.Core.Common;
using JitGate.Core.Features.Identity;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace JitGate.Server.Auth;

/// <summary>
/// How people may sign in right now: the OpenID Connect provider in force (configuration or PUT
/// /settings/oidc) and whether passwords work. Read again from the store at each sign-in step, so a change
/// made on any replica holds at the next sign-in; when the provider changed, the OpenIdConnect handler's
/// options are dropped from their cache and built anew (metadata and keys fetched again).
/// </summary>
internal sealed class SignInMethods(IServiceScopeFactory scopes, IOptionsMonitorCache<OpenIdConnectOptions> oidcOptions, IOptions<JitGateOptions> options)
{
    private readonly Lock _gate = new();
    private volatile OidcConfig? _oidc;
    private string _fingerprint = "";

    /// <summary>The provider in force when last read; null when single sign-on is off.</summary>
    public OidcConfig? Oidc => _oidc;

    /// <summary>Whether passwords work for everyone (false: only the break-glass admin's), when last read.</summary>
    public bool PasswordSignIn { get; private set; } = true;

    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        var config = await OidcConfig.ReadAsync(db, options.Value.Oidc, scope.ServiceProvider.GetRequiredService<SecretBox>(), ct);
        PasswordSignIn = await WorkspaceSettingsStore.PasswordSignInAsync(db, ct);
        var fingerprint = config?.Fingerprint ?? "";
        lock (_gate)
        {
            if (fingerprint == _fingerprint) return;
            _oidc = config;
            _fingerprint = fingerprint;
            oidcOptions.TryRemove(OidcSignInSetup.Scheme);
        }
    }
}
