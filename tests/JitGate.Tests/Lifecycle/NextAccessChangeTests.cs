using System.Globalization;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Persistence;
using JitGate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace JitGate.Tests.Lifecycle;

/// <summary>
/// When the background pass wakes next. A window that starts while a pass is running must make the next pass
/// run at once: found as a window whose grants reached the login 1.0 s after its start, under load.
/// </summary>
public sealed class NextAccessChangeTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>What the pass would be told at <paramref name="at"/>; the app's own clock, and so its own passes, stay where they are.</summary>
    private async Task<DateTimeOffset?> DueAsync(DateTimeOffset at)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await new NextAccessChange(scope.ServiceProvider.GetRequiredService<JitGateDb>(), new FakeTimeProvider(at)).WithinAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
    }

    [Fact]
    public async Task A_start_or_expiry_not_yet_recorded_is_due_from_a_second_before_it_to_a_second_after()
    {
        var startsAt = _app.Clock.GetUtcNow().AddSeconds(10);
        await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1M",
            scope = new { databases = new[] { "hr_prod" } },
            startsAt = startsAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        });

        Assert.Null(await DueAsync(startsAt.AddSeconds(-1.5)));
        Assert.Equal(startsAt, await DueAsync(startsAt.AddSeconds(-0.4)));
        // It started while a pass ran and no pass has recorded it: due now, not on the next tick.
        Assert.Equal(startsAt, await DueAsync(startsAt.AddSeconds(0.3)));
        Assert.Null(await DueAsync(startsAt.AddSeconds(1.5)));
        // The same for its expiry, a minute later.
        Assert.Equal(startsAt.AddMinutes(1), await DueAsync(startsAt.AddMinutes(1).AddSeconds(0.3)));
    }
}
