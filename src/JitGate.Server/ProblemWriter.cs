using JitGate.Core.Common;

namespace JitGate.Server;

/// <summary>Writes RFC 9457 problem+json answers in JitGate's one shape.</summary>
internal static class ProblemWriter
{
    public static Task WriteAsync(HttpContext context, int status, string slug, string title, string detail,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = ApiProblem.TypeFor(slug),
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions) body[key] = value;
        }
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(body, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
