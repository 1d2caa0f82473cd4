using System.Text.RegularExpressions;

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
            // The server's options: linear time, so a pattern cannot take the circuit's time either.
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)).IsMatch(reason.Trim());
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            // A pattern this runtime cannot read, or a busy server: leave the decision to the send, which checks again.
            return true;
        }
    }

    /// <summary>The message when a reason does not match.</summary>
    public static string Mismatch(string pattern) => $"The reason must match {pattern} in this project.";
}
