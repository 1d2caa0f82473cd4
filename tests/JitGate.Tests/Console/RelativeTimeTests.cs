using JitGate.Server.Components;

namespace JitGate.Tests.Console;

/// <summary>How the console says how far a moment is from now (request lists, expiries).</summary>
public sealed class RelativeTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "less than a minute ago")]
    [InlineData(-30, "less than a minute ago")]
    [InlineData(30, "in less than a minute")]
    [InlineData(-25 * 60, "25 min ago")]
    [InlineData(3 * 3600, "in 3 h")]
    [InlineData(-3 * 86400, "3 d ago")]
    public void A_moment_reads_as_past_or_future_from_now(int seconds, string expected) =>
        Assert.Equal(expected, Ui.Relative(Now.AddSeconds(seconds), Now));

    [Fact]
    public void The_offset_of_either_moment_does_not_matter() =>
        Assert.Equal("in 3 h", Ui.Relative(Now.AddHours(3).ToOffset(TimeSpan.FromHours(-8)), Now.ToOffset(TimeSpan.FromHours(5.5))));
}
