namespace JitGate.Server.Auth;

/// <summary>
/// Cross-site request forgery protection for API calls made with the console's session cookie. A browser
/// sends the cookie along with a request that another site makes it send (a form post, an image, a
/// fetch), so a state-changing API call authenticated by the cookie alone could be someone else's. Such
/// a call must carry <see cref="HeaderName"/> (a header another site cannot add without a CORS preflight,
/// which JitGate never grants) and come from this origin (<c>Sec-Fetch-Site: same-origin</c>, or an
/// <c>Origin</c> equal to this server's). Bearer calls are unaffected: a browser never adds a bearer token
/// on its own. Model: OWASP's CSRF cheat sheet, "Custom Request Headers" and "Verifying Origin".
/// </summary>
internal sealed class CookieCsrfGuard(RequestDelegate next)
{
    /// <summary>The header a same-origin script adds to cookie-authenticated API calls that change something.</summary>
    public const string HeaderName = "X-JitGate-Csrf";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method) || request.Headers.Authorization.Count > 0
            || !request.Cookies.ContainsKey(SessionCookie.CookieName))
        {
            return next(context);
        }

        return IsSameOrigin(request) && request.Headers.ContainsKey(HeaderName)
            ? next(context)
            : ProblemWriter.WriteAsync(context, 403, "cross-site-request", "Cross-site request refused",
                $"A call made with the console's session cookie must come from JitGate's own pages (same origin, with the {HeaderName} header). "
                + "Scripts and other sites use 'Authorization: Bearer <token>' instead.");
    }

    private static bool IsSameOrigin(HttpRequest request)
    {
        string? site = request.Headers["Sec-Fetch-Site"];
        if (site is not null) return site is "same-origin";
        string? origin = request.Headers.Origin;
        return origin is not null
            && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
