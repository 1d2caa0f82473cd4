using System.Net;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests;

public sealed class ObservabilityTests
{
    [Fact]
    public async Task Health_endpoints_answer_and_metrics_count_queries_by_outcome()
    {
        await using var app = new JitGateApp();
        var admin = await Api.SignupAdminAsync(app);
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        await admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { "hr_test" } } });
        Assert.Equal(HttpStatusCode.OK, (await admin.QueryAsync("hr_test", "select 1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.QueryAsync("hr_prod", "select * from salary")).StatusCode);

        // Meters are matched by name across the process, so tests running beside this one may add to
        // the counts: each outcome must be there and counted, not necessarily exactly once.
        var metrics = await anonymous.GetStringAsync("/metrics");
        Assert.Matches("jitgate_queries_total\\{[^}]*outcome=\"allowed\"[^}]*\\} [1-9][0-9]*", metrics);
        Assert.Matches("jitgate_queries_total\\{[^}]*outcome=\"denied\"[^}]*\\} [1-9][0-9]*", metrics);
        Assert.Contains("jitgate_bindings_active", metrics, StringComparison.Ordinal);
        Assert.Contains("jitgate_outbox_backlog", metrics, StringComparison.Ordinal);
    }
}
