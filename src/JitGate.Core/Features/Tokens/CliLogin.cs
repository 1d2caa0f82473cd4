using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using JitGate.Core.Common;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Tokens;

/// <summary>What <c>jitgate login</c> sends the browser to approve: its loopback port, its state, its PKCE challenge and the machine's name.</summary>
public sealed record CliLoginRequest(int Port, string State, string CodeChallenge, string? Name);

/// <summary>Body of <c>POST /auth/cli/token</c>: the code the browser brought back, and the verifier only the CLI knows.</summary>
public sealed record CliTokenRequest(string? Code, string? CodeVerifier);

/// <summary>The CLI's new personal token (shown once) and who it acts as.</summary>
public sealed record CliTokenResponse(string Token, DateTimeOffset ExpiresAt, UserDto User);

/// <summary>
/// <c>jitgate login</c> through the browser, as native apps sign in by OAuth 2.0 (RFC 8252): the CLI listens
/// on a loopback port (section 7.3), the signed-in user approves it in the console, the browser carries a
/// short-lived code back to that port, and the CLI redeems the code with its PKCE verifier (RFC 7636, S256),
/// so a code seen by anyone else is useless. The code is encrypted (Data Protection) and lasts two minutes.
/// </summary>
public sealed class CliLogin(JitGateDb db, AuditLog audit, IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(30);
    private static readonly ConcurrentDictionary<string, DateTimeOffset> Redeemed = new(StringComparer.Ordinal);
    private const string Purpose = "JitGate.Cli.LoginCode.v1";

    /// <summary>Checks what the CLI asked for; the console shows it to the user before they approve.</summary>
    /// <exception cref="ApiProblem">400 naming the parameter that is not valid.</exception>
    public static CliLoginRequest Validate(int? port, string? state, string? codeChallenge, string? codeChallengeMethod, string? name)
    {
        if (port is not (>= 1024 and <= 65535)) throw Invalid("port", "port must be the CLI's loopback port (1024 to 65535).");
        if (state is null || state.Length is < 8 or > 200 || !state.All(IsUnreserved)) throw Invalid("state", "state must be 8 to 200 URL-safe characters.");
        // RFC 7636, section 4.2: BASE64URL(SHA256(verifier)) is 43 characters; only S256 is accepted.
        if (codeChallengeMethod != "S256" || codeChallenge is null || codeChallenge.Length != 43 || !codeChallenge.All(IsUnreserved))
        {
            throw Invalid("code_challenge", "code_challenge must be an S256 PKCE challenge (code_challenge_method=S256).");
        }
        var machine = (name ?? "").Trim();
        if (machine.Length > 100 || machine.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)) machine = "";
        return new CliLoginRequest(port.Value, state, codeChallenge, machine.Length == 0 ? null : machine);
    }

    /// <summary>The signed-in user approved: the loopback address to send the browser to, carrying the code and the CLI's state.</summary>
    public string Approve(Actor actor, CliLoginRequest request)
    {
        var payload = Json.Serialize(new CodePayload(actor.UserId, request.CodeChallenge, request.Name));
        var code = protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Protect(payload, CodeLifetime);
        // RFC 8252, section 7.3: the IP literal, not "localhost", which a resolver could point elsewhere.
        return $"http://127.0.0.1:{request.Port}/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(request.State)}";
    }

    /// <summary>Redeems a code for a personal token lasting <see cref="TokenLifetime"/>.</summary>
    /// <exception cref="ApiProblem">400 <c>invalid-code</c> for a code that is altered, expired, used or not matched by the verifier; 403 for a disabled user.</exception>
    public async Task<CliTokenResponse> RedeemAsync(CliTokenRequest request, string? remoteAddress, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Code) || request.Code.Length > 4000) throw InvalidCode("code is required.");
        // RFC 7636, section 4.1: 43 to 128 unreserved characters.
        if (request.CodeVerifier is not { Length: >= 43 and <= 128 } verifier || !verifier.All(IsUnreserved)) throw InvalidCode("codeVerifier must be 43 to 128 URL-safe characters.");
        CodePayload? payload;
        try
        {
            payload = Json.Deserialize<CodePayload>(protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Unprotect(request.Code));
        }
        catch (CryptographicException)
        {
            throw InvalidCode("The code is not valid or has expired; run jitgate login again.");
        }
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (payload is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(challenge), Encoding.ASCII.GetBytes(payload.Challenge)))
        {
            throw InvalidCode("The code was not issued to this verifier.");
        }
        var now = clock.GetUtcNow();
        foreach (var (key, until) in Redeemed) if (until < now) Redeemed.TryRemove(key, out _);
        if (!Redeemed.TryAdd(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Code))), now + CodeLifetime)) throw InvalidCode("The code was used already.");

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == payload.UserId, ct) ?? throw InvalidCode("The user is gone.");
        SignInPolicy.RequireEnabled(user);
        var name = payload.Name is null ? "jitgate CLI" : $"jitgate CLI on {payload.Name}";
        var (row, token) = TokenIssuer.Issue(db, user.Id, "personal", new CreateTokenRequest(name, null, now + TokenLifetime), now);
        await db.SaveChangesAsync(ct);
        audit.Add(db, new Actor(user.Id, user.Email, user.WorkspaceRole, remoteAddress), "token.create", $"tokens/{row.Id}", AuditLog.Success,
            new { row.Name, row.Kind, row.ExpiresAt, via = "cli-login" });
        await db.SaveChangesAsync(ct);
        return new CliTokenResponse(token, row.ExpiresAt, UserDto.From(user));
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ApiProblem Invalid(string field, string detail) => ApiProblem.Validation(detail, new Dictionary<string, object?> { ["field"] = field });

    private static ApiProblem InvalidCode(string detail) => new(400, "invalid-code", "The sign-in code is not valid", detail);

    private sealed record CodePayload(long UserId, string Challenge, string? Name);
}
