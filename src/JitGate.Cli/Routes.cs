namespace JitGate.Cli;

/// <summary>
/// One route of JitGate's public HTTP API. The CLI calls JitGate only through these (its constructor is
/// private): the tests compare this table with the server's OpenAPI document, so the two cannot drift apart.
/// </summary>
internal sealed class Route
{
    private Route(HttpMethod method, string template)
    {
        Method = method;
        Template = template;
    }

    public HttpMethod Method { get; }

    /// <summary>The path under the server's address, with {name} for each value, as the OpenAPI document spells it.</summary>
    public string Template { get; }

    /// <summary>The path with its values filled in (escaped), plus a query string.</summary>
    public string Path(IReadOnlyDictionary<string, string>? values = null, string? query = null)
    {
        var path = Template;
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        return query is null ? path : path + "?" + query;
    }

    public override string ToString() => $"{Method.Method} {Template}";

    public static readonly Route Me = new(HttpMethod.Get, "/api/v1/me");
    public static readonly Route MyAccess = new(HttpMethod.Get, "/api/v1/me/access");
    public static readonly Route Logout = new(HttpMethod.Post, "/api/v1/auth/logout");
    public static readonly Route CliToken = new(HttpMethod.Post, "/api/v1/auth/cli/token");
    public static readonly Route Databases = new(HttpMethod.Get, "/api/v1/databases");
    public static readonly Route Database = new(HttpMethod.Get, "/api/v1/databases/{id}");
    public static readonly Route Credentials = new(HttpMethod.Post, "/api/v1/databases/{id}/credentials");
    public static readonly Route CreateRequest = new(HttpMethod.Post, "/api/v1/projects/{project}/access-requests");
    public static readonly Route BreakGlass = new(HttpMethod.Post, "/api/v1/projects/{project}/break-glass");
    public static readonly Route Requests = new(HttpMethod.Get, "/api/v1/access-requests");
    public static readonly Route Request = new(HttpMethod.Get, "/api/v1/access-requests/{id}");
    public static readonly Route Approve = new(HttpMethod.Post, "/api/v1/access-requests/{id}/approve");
    public static readonly Route Reject = new(HttpMethod.Post, "/api/v1/access-requests/{id}/reject");
    public static readonly Route Cancel = new(HttpMethod.Post, "/api/v1/access-requests/{id}/cancel");
    public static readonly Route Query = new(HttpMethod.Post, "/api/v1/query");
    public static readonly Route RevokeBinding = new(HttpMethod.Delete, "/api/v1/projects/{project}/bindings/{id}");

    /// <summary>Every route the CLI may call.</summary>
    public static IReadOnlyList<Route> All { get; } =
        [Me, MyAccess, Logout, CliToken, Databases, Database, Credentials, CreateRequest, BreakGlass, Requests, Request, Approve, Reject, Cancel, Query, RevokeBinding];
}
