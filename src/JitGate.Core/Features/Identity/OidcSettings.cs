using System.Net;
using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Identity;

/// <summary>Body of <c>PUT /settings/oidc</c>; a null <c>clientSecret</c> keeps the saved one, an empty one removes it.</summary>
public sealed record UpdateOidcSettingsRequest(
    string? Authority, string? ClientId, string? ClientSecret, List<string>? Scopes, string? GroupsClaim, List<string>? AllowedDomains);

/// <summary>
/// Single sign-on as configured: <c>source</c> is <c>configuration</c> (JitGate__Oidc__*), <c>settings</c> (PUT
/// /settings/oidc) or <c>none</c>. The secret is never returned, only whether one is set; <c>redirectUri</c> is
/// what to register at the provider.
/// </summary>
public sealed record OidcSettingsDto(
    bool Enabled, string Source, string? Authority, string? ClientId, bool ClientSecretSet, List<string> Scopes, string GroupsClaim,
    List<string> AllowedDomains, string RedirectUri);

/// <summary>An admin sets, reads or removes the workspace's OpenID Connect provider.</summary>
public sealed class OidcSettings(JitGateDb db, AuditLog audit, SecretBox secrets, IOptions<JitGateOptions> options)
{
    public const string SettingsKey = "oidc";
    public const string SecretKey = "oidcClientSecret";

    /// <summary>The path the provider sends people back to (ASP.NET Core's OpenIdConnect default).</summary>
    public const string CallbackPath = "/signin-oidc";

    public async Task<OidcSettingsDto> GetAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdminOrDba(actor);
        return ToDto(await OidcConfig.ReadAsync(db, options.Value.Oidc, secrets, ct));
    }

    /// <exception cref="ApiProblem">403 for anyone but an admin; 409 when the server's configuration sets single sign-on; 400 naming the field that is not valid.</exception>
    public async Task<OidcSettingsDto> PutAsync(Actor actor, UpdateOidcSettingsRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        RequireNotConfiguredByServer();
        var current = await OidcConfig.ReadAsync(db, options.Value.Oidc, secrets, ct);
        var stored = new OidcConfig.StoredOidc(
            RequireAuthority(request.Authority),
            RequireText("clientId", request.ClientId, 255),
            OidcConfig.WithOpenId(RequireScopes(request.Scopes)),
            request.GroupsClaim is null ? OidcConfig.DefaultGroupsClaim : RequireText("groupsClaim", request.GroupsClaim, 100),
            RequireDomains(request.AllowedDomains));
        await WorkspaceSettingsStore.SetAsync(db, SettingsKey, Json.Serialize(stored), ct);
        if (request.ClientSecret is { Length: > 0 } secret)
        {
            await WorkspaceSettingsStore.SetAsync(db, SecretKey, secrets.Protect(RequireText("clientSecret", secret, 1000)), ct);
        }
        else if (request.ClientSecret is "")
        {
            await WorkspaceSettingsStore.RemoveAsync(db, SecretKey, ct);
        }
        audit.Add(db, actor, "settings.oidc.update", "settings/oidc", AuditLog.Success, new
        {
            stored.Authority, stored.ClientId, stored.Scopes, stored.GroupsClaim, stored.AllowedDomains,
            clientSecret = request.ClientSecret is null ? "kept" : request.ClientSecret.Length == 0 ? "removed" : "set",
            replaced = current is not null,
        });
        await db.SaveChangesAsync(ct);
        return ToDto(await OidcConfig.ReadAsync(db, options.Value.Oidc, secrets, ct));
    }

    /// <exception cref="ApiProblem">403 for anyone but an admin; 409 when the server's configuration sets it, or while password sign-in is off.</exception>
    public async Task DeleteAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        RequireNotConfiguredByServer();
        if (!await WorkspaceSettingsStore.PasswordSignInAsync(db, ct))
        {
            throw ApiProblem.Conflict("Password sign-in is off, so single sign-on is how people sign in; turn password sign-in on first (PUT /settings/workspace {\"passwordSignIn\": true}).");
        }
        await WorkspaceSettingsStore.RemoveAsync(db, SettingsKey, ct);
        await WorkspaceSettingsStore.RemoveAsync(db, SecretKey, ct);
        audit.Add(db, actor, "settings.oidc.delete", "settings/oidc", AuditLog.Success);
        await db.SaveChangesAsync(ct);
    }

    private void RequireNotConfiguredByServer()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.Oidc.Authority))
        {
            throw new ApiProblem(409, "oidc-configured-by-server", "Set by the server's configuration",
                "Single sign-on is set by the server's configuration (JitGate__Oidc__Authority and the rest); change it there.");
        }
    }

    private OidcSettingsDto ToDto(OidcConfig? config) => new(
        config is not null, config?.Source ?? "none", config?.Authority, config?.ClientId, config?.ClientSecret is not null,
        [.. config?.Scopes ?? OidcConfig.WithOpenId(OidcConfig.DefaultScopes)], config?.GroupsClaim ?? OidcConfig.DefaultGroupsClaim,
        [.. config?.AllowedDomains ?? []], options.Value.PublicUrl.TrimEnd('/') + CallbackPath);

    private static ApiProblem Invalid(string field, string detail) =>
        ApiProblem.Validation(detail, new Dictionary<string, object?> { ["field"] = field });

    /// <summary>
    /// An absolute https URL without query or fragment (OpenID Connect Discovery 1.0, section 2: the issuer is
    /// an https URL); plain http only on a loopback host, for a provider on the same machine.
    /// </summary>
    private static string RequireAuthority(string? text)
    {
        var value = RequireText("authority", text, 400).TrimEnd('/');
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))))
        {
            throw Invalid("authority", "authority must be the provider's issuer URL, such as https://login.example.com/realms/acme (https; http only on localhost).");
        }
        return value;
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static string RequireText(string field, string? text, int max)
    {
        var value = (TextRules.Check(field, text) ?? "").Trim();
        if (value.Length == 0 || value.Length > max) throw Invalid(field, $"{field} is required (at most {max} characters).");
        return value;
    }

    /// <summary>Scope tokens as RFC 6749, section 3.3 allows them: printable ASCII but space, '"' and '\'.</summary>
    private static List<string> RequireScopes(List<string>? scopes)
    {
        if (scopes is null) return [.. OidcConfig.DefaultScopes];
        if (scopes.Count > 30) throw Invalid("scopes", "scopes may list at most 30 scopes.");
        foreach (var scope in scopes)
        {
            if (string.IsNullOrEmpty(scope) || scope.Length > 100 || scope.Any(c => c is < '!' or > '~' or '"' or '\\'))
            {
                throw Invalid("scopes", $"'{scope}' is not a scope: scopes are words of printable ASCII without spaces, quotes or backslashes, such as \"groups\".");
            }
        }
        return scopes.Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<string> RequireDomains(List<string>? domains)
    {
        var result = new List<string>();
        foreach (var raw in domains ?? [])
        {
            var domain = (raw ?? "").Trim().TrimStart('@').ToLowerInvariant();
            if (domain.Length is 0 or > 253 || Uri.CheckHostName(domain) != UriHostNameType.Dns || !domain.Contains('.', StringComparison.Ordinal))
            {
                throw Invalid("allowedDomains", $"'{raw}' is not an e-mail domain such as example.com.");
            }
            if (!result.Contains(domain)) result.Add(domain);
        }
        return result;
    }
}
