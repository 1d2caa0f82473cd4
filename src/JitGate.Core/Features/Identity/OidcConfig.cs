using JitGate.Core.Common;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Identity;

/// <summary>
/// The "JitGate:Oidc" configuration section. <see cref="Scopes"/> and <see cref="AllowedDomains"/> are lists
/// separated by spaces or commas, as an environment variable holds them
/// (<c>JitGate__Oidc__Scopes="openid profile email groups"</c>).
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL, whose <c>/.well-known/openid-configuration</c> describes it (OpenID Connect Discovery 1.0, section 4).</summary>
    public string? Authority { get; set; }

    /// <summary>The client id JitGate is registered with at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret, when the provider gave one (a confidential client); PKCE is used either way.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes to ask for; <c>openid</c> is always asked for. Default: <c>openid profile email</c>.</summary>
    public string? Scopes { get; set; }

    /// <summary>The ID token claim that lists the user's groups (<c>groups</c> by default).</summary>
    public string? GroupsClaim { get; set; }

    /// <summary>E-mail domains that may sign in (empty: any the provider vouches for).</summary>
    public string? AllowedDomains { get; set; }
}

/// <summary>The single sign-on settings in force, and where they come from: <c>configuration</c> or <c>settings</c>.</summary>
public sealed record OidcConfig(
    string Authority, string ClientId, string? ClientSecret, IReadOnlyList<string> Scopes, string GroupsClaim,
    IReadOnlyList<string> AllowedDomains, string Source)
{
    public const string DefaultGroupsClaim = "groups";
    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    /// <summary>Tells two configurations apart without holding the secret in plain sight.</summary>
    public string Fingerprint => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
        string.Join('\n', Authority, ClientId, ClientSecret ?? "", string.Join(' ', Scopes), GroupsClaim, string.Join(',', AllowedDomains)))));

    /// <summary>True when the e-mail's domain may sign in.</summary>
    public bool AllowsDomainOf(string email)
    {
        if (AllowedDomains.Count == 0) return true;
        var domain = email[(email.LastIndexOf('@') + 1)..];
        return AllowedDomains.Contains(domain, StringComparer.Ordinal);
    }

    /// <summary>Splits a configuration list on spaces and commas.</summary>
    public static List<string> SplitList(string? text) =>
        (text ?? "").Split([' ', ',', ';', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The configuration in force: the server's configuration when it names an authority, otherwise what an admin
    /// saved with PUT /settings/oidc (the secret decrypted), otherwise null (single sign-on is off).
    /// </summary>
    public static async Task<OidcConfig?> ReadAsync(JitGateDb db, OidcOptions configured, SecretBox secrets, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(configured.Authority))
        {
            var scopes = SplitList(configured.Scopes);
            return new OidcConfig(configured.Authority.Trim(), configured.ClientId?.Trim() ?? "", string.IsNullOrEmpty(configured.ClientSecret) ? null : configured.ClientSecret,
                WithOpenId(scopes.Count == 0 ? DefaultScopes : scopes),
                string.IsNullOrWhiteSpace(configured.GroupsClaim) ? DefaultGroupsClaim : configured.GroupsClaim.Trim(),
                SplitList(configured.AllowedDomains).Select(d => d.ToLowerInvariant()).ToList(), "configuration");
        }
        if (await WorkspaceSettingsStore.ValueAsync(db, OidcSettings.SettingsKey, ct) is not { } json || Json.Deserialize<StoredOidc>(json) is not { } stored)
        {
            return null;
        }
        var secret = await WorkspaceSettingsStore.ValueAsync(db, OidcSettings.SecretKey, ct) is { } protectedSecret ? secrets.Unprotect(protectedSecret) : null;
        return new OidcConfig(stored.Authority, stored.ClientId, secret, stored.Scopes, stored.GroupsClaim, stored.AllowedDomains, "settings");
    }

    internal static List<string> WithOpenId(IEnumerable<string> scopes) => ["openid", .. scopes.Where(s => s != "openid")];

    /// <summary>The settings row: everything but the secret, which is kept encrypted in its own row.</summary>
    internal sealed record StoredOidc(string Authority, string ClientId, List<string> Scopes, string GroupsClaim, List<string> AllowedDomains);
}
