namespace JitGate.Core.Common;

/// <summary>
/// A client-facing failure that becomes an RFC 9457 problem+json answer. Use cases throw it; the
/// server turns it into the response, so every feature reports errors the same way.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "Thrown as a problem answer; the name says what the client gets.")]
public sealed class ApiProblem : Exception
{
    public ApiProblem(int status, string slug, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
        : base(detail)
    {
        Status = status;
        Slug = slug;
        Title = title;
        Extensions = extensions ?? new Dictionary<string, object?>();
    }

    public ApiProblem() : this(500, "error", "Error", "Unexpected error") { }
    public ApiProblem(string message) : this(400, "bad-request", "Bad request", message) { }
    public ApiProblem(string message, Exception inner) : base(message, inner)
    {
        Status = 400; Slug = "bad-request"; Title = "Bad request"; Extensions = new Dictionary<string, object?>();
    }

    public int Status { get; }
    public string Slug { get; }
    public string Title { get; }
    public IReadOnlyDictionary<string, object?> Extensions { get; }

    /// <summary>The problem type URI; its last segment is the slug clients match on.</summary>
    public string Type => TypeFor(Slug);

    public static string TypeFor(string slug) => "urn:jitgate:problem:" + slug;

    public static ApiProblem Validation(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(400, "validation", "The request is not valid", detail, extensions);

    public static ApiProblem NotFound(string what) =>
        new(404, "not-found", "Not found", $"{what} was not found.");

    public static ApiProblem Forbidden(string detail) =>
        new(403, "forbidden", "Not allowed", detail);

    public static ApiProblem Conflict(string detail) =>
        new(409, "conflict", "Conflict", detail);
}
