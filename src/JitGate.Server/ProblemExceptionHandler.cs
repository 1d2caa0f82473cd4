using JitGate.Core.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace JitGate.Server;

/// <summary>
/// Turns exceptions into problem+json: a use case's <see cref="ApiProblem"/> as it says, unreadable
/// input as a 400 that names the problem, anything else as a 500 without internals.
/// </summary>
internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger, JitGate.Core.Persistence.StoreHealth store) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (JitGate.Core.Persistence.StoreHealth.Unwritable(exception) is { } why)
        {
            // Nothing was half-written: the store refused the transaction as a whole.
            store.Failed(why);
            logger.LogError("The store cannot be written ({Reason}) on {Path}", why, context.Request.Path.Value);
            context.Response.Headers.RetryAfter = "30";
            await ProblemWriter.WriteAsync(context, 503, "store-unavailable", "Store unavailable",
                $"JitGate cannot write its store: {why}. Nothing was changed; try again once an operator has freed space or made the store writable.");
            return true;
        }

        switch (exception)
        {
            case ApiProblem p:
                await ProblemWriter.WriteAsync(context, p.Status, p.Slug, p.Title, p.Message, p.Extensions);
                return true;
            case BadHttpRequestException bad:
                var problem = BadRequestProblem.From(bad);
                await ProblemWriter.WriteAsync(context, problem.Status, problem.Slug, problem.Title, problem.Message, problem.Extensions);
                return true;
            case Npgsql.NpgsqlException db when db.IsTransient || db is Npgsql.PostgresException { SqlState: "53300" or "57P03" }:
                logger.LogWarning(exception, "Metadata store unavailable on {Path}", context.Request.Path.Value);
                context.Response.Headers.RetryAfter = "1";
                await ProblemWriter.WriteAsync(context, 503, "unavailable", "Temporarily unavailable", "JitGate's metadata store is busy or unreachable; try again shortly.");
                return true;
            case JitGate.Core.Engines.EngineException engine:
                // Written for people (what is wrong with the target and what to do); never a stack trace.
                logger.LogWarning("Engine refused on {Path}: {Message}", context.Request.Path.Value, engine.Message);
                context.Response.Headers.RetryAfter = "5";
                await ProblemWriter.WriteAsync(context, 503, "engine-unavailable", "Database engine unavailable", engine.Message);
                return true;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return true;
            default:
                logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path.Value);
                await ProblemWriter.WriteAsync(context, 500, "internal", "Internal error", "JitGate failed to handle this request; the error is logged.");
                return true;
        }
    }
}
