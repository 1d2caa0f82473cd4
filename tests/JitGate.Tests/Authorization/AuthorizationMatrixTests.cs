using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Tests.Authorization;

/// <summary>
/// Every route × the nine callers of <see cref="Who"/>, over real HTTP against one server: each cell
/// must get the status <see cref="AuthorizationMatrix"/> lists. A failure prints every cell that broke.
/// </summary>
public sealed partial class AuthorizationMatrixTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    private static readonly Who[] Outsiders = [Who.Member, Who.Billing, Who.Bot];

    [Fact]
    public async Task Every_caller_gets_the_listed_status_on_every_route()
    {
        var mismatches = new List<(string Route, string Who, string Expected, string Got, string Body)>();
        var cells = 0;
        foreach (var row in AuthorizationMatrix.Rows)
        {
            var expected = row.Expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(expected.Length == Enum.GetValues<Who>().Length, $"{row.Key}: {expected.Length} statuses for {Enum.GetValues<Who>().Length} callers");
            foreach (var who in Enum.GetValues<Who>())
            {
                cells++;
                var want = expected[(int)who];
                int status;
                string body;
                try
                {
                    (status, body) = await world.SendAsync(who, await row.Request(world, who));
                }
                catch (Exception e) when (e is HttpRequestException or Xunit.Sdk.XunitException or InvalidOperationException)
                {
                    mismatches.Add((row.Key, Name(who), want, "setup failed", e.Message));
                    continue;
                }
                if (!Matches(want, status))
                {
                    mismatches.Add((row.Key, Name(who), want, status.ToString(System.Globalization.CultureInfo.InvariantCulture), body));
                }
                else if (row.HiddenFromOutsiders is { } hidden && Outsiders.Contains(who) && body.Contains(hidden, StringComparison.Ordinal))
                {
                    mismatches.Add((row.Key, Name(who), $"{want} without {hidden}", $"{status} with it", body));
                }
                else if (row.Ghost is { } ghost && Outsiders.Contains(who))
                {
                    var (ghostStatus, _) = await world.SendAsync(who, ghost(world));
                    if (ghostStatus != status)
                    {
                        mismatches.Add((row.Key, Name(who), $"{want}, as for objects that do not exist", $"{status}, but {ghostStatus} for those", body));
                    }
                }
            }
        }

        if (mismatches.Count > 0) Assert.Fail($"{mismatches.Count} of {cells} cells differ:\n" + Table(mismatches));
        Assert.True(world.App.ServerErrors.Errors.Count == 0, "The server logged errors:\n" + string.Join("\n---\n", world.App.ServerErrors.Errors.Take(5)));
    }

    [Fact]
    public void Every_route_the_server_maps_is_in_the_matrix_and_every_row_is_a_route()
    {
        var mapped = MappedRoutes();
        var listed = AuthorizationMatrix.Rows.Select(r => r.Key).ToList();

        Assert.Empty(listed.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key));
        var missing = mapped.Except(listed).Order().ToList();
        Assert.True(missing.Count == 0, "Routes the matrix does not list (add a row with each caller's status):\n" + string.Join('\n', missing));
        var stale = listed.Except(mapped).Order().ToList();
        Assert.True(stale.Count == 0, "Rows for routes the server no longer maps:\n" + string.Join('\n', stale));
    }

    [Fact]
    public async Task Every_operation_of_the_openapi_document_is_in_the_matrix()
    {
        var doc = JsonNode.Parse(await world.Client.GetStringAsync("/openapi/v1.json"))!;
        var operations = doc["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {Normalize(path.Key)}"))
            .ToList();
        Assert.True(operations.Count > 60, $"only {operations.Count} operations documented");
        var listed = AuthorizationMatrix.Rows.Select(r => r.Key).ToHashSet();
        var missing = operations.Where(o => !listed.Contains(o)).ToList();
        Assert.True(missing.Count == 0, "Documented operations the matrix does not list:\n" + string.Join('\n', missing));
    }

    /// <summary>
    /// Each method and route pattern of every endpoint, static files left out: they are the same bytes
    /// for everyone and carry no JitGate data (the fallback for files that do not exist is listed).
    /// </summary>
    private List<string> MappedRoutes()
    {
        var endpoints = world.App.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var routes = new List<string>();
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is not null) continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            var pattern = Normalize(endpoint.RoutePattern.RawText ?? "");
            routes.AddRange(methods.Select(m => $"{m} {pattern}"));
        }
        Assert.True(routes.Count > 100, $"only {routes.Count} routes found");
        return routes.Distinct().ToList();
    }

    /// <summary>The pattern without parameter constraints or a trailing slash, as the OpenAPI document writes it.</summary>
    private static string Normalize(string pattern)
    {
        var bare = Constraint().Replace(pattern, "$1}");
        return bare.Length > 1 && bare.EndsWith('/') ? bare[..^1] : bare;
    }

    [GeneratedRegex(@"(\{[^}:]+):[^}]+\}")]
    private static partial Regex Constraint();

    private static bool Matches(string expected, int status) =>
        expected.EndsWith("xx", StringComparison.Ordinal)
            ? status / 100 == expected[0] - '0'
            : int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture) == status;

    private static string Name(Who who) => who.ToString().ToLowerInvariant();

    private static string Table(List<(string Route, string Who, string Expected, string Got, string Body)> rows)
    {
        var text = new StringBuilder();
        var routeWidth = Math.Max(5, rows.Max(r => r.Route.Length));
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{"route".PadRight(routeWidth)}  {"caller",-9}  {"expected",-10}  {"got",-10}  body");
        foreach (var (route, who, expected, got, body) in rows)
        {
            var shortBody = body.Length > 160 ? body[..160] + "…" : body;
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"{route.PadRight(routeWidth)}  {who,-9}  {expected,-10}  {got,-10}  {shortBody.ReplaceLineEndings(" ")}");
        }
        return text.ToString();
    }
}
