namespace JitGate.Core.Features.Risk;

public static class RiskLevels
{
    public const string Low = "low";
    public const string Moderate = "moderate";
    public const string High = "high";
    public static readonly IReadOnlyList<string> All = [Low, Moderate, High];

    public static int Rank(string level) => level switch { High => 2, Moderate => 1, _ => 0 };
}

public static class RiskSources
{
    public const string RequestRole = "requestRole";
    public static readonly IReadOnlyList<string> All = [RequestRole];
}
