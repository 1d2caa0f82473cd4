using System.Security.Claims;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;

namespace JitGate.Server.Auth;

/// <summary>Every call made with a personal or service-account token is audited, with its outcome.</summary>
internal sealed class TokenUseAudit(RequestDelegate next, IServiceScopeFactory scopes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var kind = context.User.FindFirstValue(BearerAuthenticationHandler.TokenKindClaim);
        if (kind is null or "session") return;
        // A fresh unit of work: the request's own may hold changes that failed to save.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        scope.ServiceProvider.GetRequiredService<AuditLog>().Add(db, context.Actor(), "token.use", $"{context.Request.Method} {context.Request.Path.Value}",
            context.Response.StatusCode < 400 ? AuditLog.Success : AuditLog.Failure,
            new { tokenId = context.User.FindFirstValue(BearerAuthenticationHandler.TokenIdClaim), kind, status = context.Response.StatusCode });
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
