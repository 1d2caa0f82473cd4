namespace JitGate.Server.Components.Shared;

/// <summary>
/// A project's reason pattern as the console shows it: a hint under the reason field, and the same check
/// the server makes (<c>ProjectSettings.CheckReason</c>), done before sending so the form says it first.
/// </summary>
public static class ReasonRule
{
    /// <summary>The hint under a reason field: what approvers read, and the pattern when the project has one.</summary>
    public static string Hint(string? pattern, string plain) =>
        pattern is null ? plain : $"Must match {pattern} (a ticket or incident id, for example).";

    /// <summary>True when the reason may be sent: no pattern, an empty reason (the required check says so), or a match.</summary>
    public static bool Matches(string? pattern, string? reason)
    {
        if (pattern is null || string.IsNullOrWhiteSpace(reason)) return true;
        try
        {
            return JitGate.Core.Features.Lifecycle.ProjectSettings.ReasonMatches(pattern, reason.Trim());
        }
        catch (ArgumentException)
        {
            // A pattern this runtime cannot read: leave the decision to the send, which checks again.
            return true;
        }
    }

    /// <summary>The message when a reason does not match.</summary>
    public static string Mismatch(string pattern) => $"The reason must match {pattern} in this project.";
}
