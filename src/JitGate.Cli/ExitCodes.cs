namespace JitGate.Cli;

/// <summary>What a script can tell from the exit code alone (README, "Exit codes").</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>Anything else that failed: JitGate unreachable, not found, a server error.</summary>
    public const int Failed = 1;

    /// <summary>The command line or a value in it is wrong (JitGate's 400 answers included).</summary>
    public const int Usage = 2;

    /// <summary>Not allowed: not signed in, no access, not an approver, a request rejected or canceled.</summary>
    public const int Denied = 3;

    /// <summary>A request waits for approval.</summary>
    public const int Pending = 4;
}

/// <summary>A failure the CLI reports and exits with; <see cref="Problem"/> is JitGate's problem+json answer when there was one.</summary>
internal sealed class CliException(int exitCode, string message, System.Text.Json.Nodes.JsonObject? problem = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public System.Text.Json.Nodes.JsonObject? Problem { get; } = problem;
}
