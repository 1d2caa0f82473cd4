using System.CommandLine;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate completion bash|zsh|fish</c>: a script that wires the shell's completion to System.CommandLine's own
/// (the <c>[suggest]</c> directive), so commands, options and values complete as the parser knows them.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script: eval \"$(jitgate completion bash)\"") { shell };
        command.SetAction(parse =>
        {
            Console.Out.Write(parse.GetValue(shell) switch
            {
                "bash" => """
                    _jitgate_complete() {
                        local IFS=$'\n'
                        COMPREPLY=($(jitgate "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
                    }
                    complete -o default -F _jitgate_complete jitgate

                    """,
                "zsh" => """
                    _jitgate_complete() {
                        local -a candidates
                        candidates=("${(@f)$(jitgate "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
                        compadd -a candidates
                    }
                    compdef _jitgate_complete jitgate

                    """,
                _ => """
                    complete -c jitgate -f -a '(jitgate "[suggest:"(string length -- (commandline -cp))"]" (commandline -cp) 2>/dev/null)'

                    """,
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
