using System.Net;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Query;

/// <summary>One query cannot make an answer larger than the byte cap, however few rows it asks for.</summary>
public sealed class AnswerSizeTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_prod" } } });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_blob_query_stops_at_sixteen_mebibytes_and_says_why()
    {
        var response = await _dev.QueryAsync("hr_prod", "select first_name, randomblob(1000000) from employee limit 1000");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(text.Length < 17 * 1024 * 1024, $"the answer has {text.Length} characters");
        var answer = JsonNode.Parse(text)!;
        Assert.True(answer["truncated"]!.GetValue<bool>());
        Assert.Equal("bytes", answer["truncatedBy"]!.GetValue<string>());
        Assert.InRange(answer["rowCount"]!.GetValue<int>(), 5, 13);

        var rows = JsonNode.Parse(await (await _dev.QueryAsync("hr_prod", "select emp_no from employee", maxRows: 5)).Content.ReadAsStringAsync())!;
        Assert.Equal("rows", rows["truncatedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_value_larger_than_the_cap_is_refused_before_it_is_built()
    {
        var problem = await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select randomblob(100000000)"), HttpStatusCode.BadRequest, "invalid-statement");
        Assert.Contains("too big", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
