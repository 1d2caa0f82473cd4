using System.Net;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task The_openapi_document_describes_the_api_and_the_reference_page_is_served()
    {
        await using var app = new JitGateApp();
        using var client = app.CreateClient();
        var doc = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[] { "/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/query", "/api/v1/projects/{project}/bindings", "/api/v1/audit", "/api/v1/instances" })
        {
            Assert.Contains(path, paths);
        }
        var page = await client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("JitGate", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
