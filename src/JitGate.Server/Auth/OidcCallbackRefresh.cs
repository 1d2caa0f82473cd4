using JitGate.Core.Features.Identity;

namespace JitGate.Server.Auth;

/// <summary>
/// Reads the sign-in settings again before the provider's answer reaches the OpenIdConnect handler, so a
/// replica that did not start the sign-in still validates it against the provider in force.
/// </summary>
internal sealed class OidcCallbackRefresh(RequestDelegate next, SignInMethods methods)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals(OidcSettings.CallbackPath, StringComparison.OrdinalIgnoreCase))
        {
            await methods.RefreshAsync(context.RequestAborted);
        }
        await next(context);
    }
}
