using System.Globalization;
using System.Security.Claims;
using JitGate.Core.Common;

namespace JitGate.Server.Auth;

internal static class ActorExtensions
{
    /// <summary>The signed-in user of an endpoint that requires authorization.</summary>
    public static Actor Actor(this HttpContext context)
    {
        var user = context.User;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Endpoint is missing RequireAuthorization().");
        return new Actor(long.Parse(id, CultureInfo.InvariantCulture), user.FindFirstValue(ClaimTypes.Email)!,
            user.FindFirstValue(ClaimTypes.Role)!, context.Connection.RemoteIpAddress?.ToString())
        {
            TokenId = long.TryParse(user.FindFirstValue(BearerAuthenticationHandler.TokenIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var token) ? token : null,
        };
    }

    public static string? BearerToken(this HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
