using System.Security.Claims;
using System.Text.Encodings.Web;
using JitGate.Core.Features.Identity;
using JitGate.Core.Policy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace JitGate.Server.Auth;

/// <summary>Resolves "Authorization: Bearer &lt;token&gt;" to the token's user, with their current workspace role.</summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    TokenValidator tokens, PolicyCache policy)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string TokenKindClaim = "jitgate:token_kind";
    public const string TokenIdClaim = "jitgate:token_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        var valid = await tokens.ValidateAsync(token, Context.RequestAborted);
        if (valid is null) return AuthenticateResult.Fail("invalid or expired token");
        var snapshot = await policy.GetFreshAsync(Context.RequestAborted);
        if (!snapshot.Users.TryGetValue(valid.UserId, out var user)) return AuthenticateResult.Fail("unknown user");
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Email, user.Email),
                new Claim(ClaimTypes.Role, user.WorkspaceRole),
                new Claim(TokenKindClaim, valid.Kind),
                new Claim(TokenIdClaim, valid.TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, 401, "unauthenticated", "Sign-in required",
            "Send a valid token as 'Authorization: Bearer <token>' (POST /api/v1/auth/login gives one).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, 403, "forbidden", "Not allowed", "You may not do this.");
}
