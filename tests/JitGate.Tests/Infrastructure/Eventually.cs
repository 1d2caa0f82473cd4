using Microsoft.Extensions.Time.Testing;

namespace JitGate.Tests.Infrastructure;

internal static class Eventually
{
    /// <summary>
    /// Moves the fake clock a second at a time, so background jobs on the app's TimeProvider tick,
    /// until the condition holds; bounded, so a broken job fails the test instead of hanging it. After
    /// <paramref name="maxTicks"/> ticks it goes on for up to 15 s of real time, still a second of fake time
    /// each 100 ms, for a job that has not had the CPU yet on a busy machine (and work it made meanwhile).
    /// </summary>
    public static async Task HoldsAsync(FakeTimeProvider clock, Func<Task<bool>> condition, int maxTicks = 200)
    {
        for (var i = 0; i < maxTicks; i++)
        {
            if (await condition()) return;
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(15);
        }
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (patience.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (await condition()) return;
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }
        Assert.Fail("The condition did not hold in time.");
    }
}
