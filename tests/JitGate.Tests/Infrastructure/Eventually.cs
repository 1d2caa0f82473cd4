using Microsoft.Extensions.Time.Testing;

namespace JitGate.Tests.Infrastructure;

internal static class Eventually
{
    /// <summary>
    /// Moves the fake clock a second at a time, so background jobs on the app's TimeProvider tick,
    /// until the condition holds; bounded, so a broken job fails the test instead of hanging it.
    /// </summary>
    public static async Task HoldsAsync(FakeTimeProvider clock, Func<Task<bool>> condition, int maxTicks = 200)
    {
        for (var i = 0; i < maxTicks; i++)
        {
            if (await condition()) return;
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(15);
        }
        Assert.Fail("The condition did not hold in time.");
    }
}
