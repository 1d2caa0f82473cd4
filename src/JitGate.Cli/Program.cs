using System.CommandLine;
using JitGate.Cli.Commands;

namespace JitGate.Cli;

/// <summary>The jitgate command: parses with System.CommandLine; a usage error exits 2 (<see cref="ExitCodes"/>).</summary>
internal static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("jitgate: ask for, approve, use and give back just-in-time database access.");
        root.Options.Add(Common.Json);
        root.Options.Add(Common.Url);
        foreach (var command in new[]
        {
            LoginCommand.Create(), LogoutCommand.Create(), RequestCommand.Create(), StatusCommand.Create(), DecideCommand.Create(approve: true), DecideCommand.Create(approve: false), CancelCommand.Create(),
            QueryCommand.Create(), ConnectCommand.Create(), EndCommand.Create(), CompletionCommand.Create(),
        })
        {
            root.Subcommands.Add(command);
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine($"Run 'jitgate {string.Join(' ', CommandPath(parsed.CommandResult))} --help' for usage.".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Usage;
        }
        // No termination handling of the parser's own: Ctrl+C ends a command at once (a request left waiting stays),
        // and connect, whose client owns the terminal, ignores it while the client runs (see ConnectCommand).
        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    private static Stack<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null && r.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent) names.Push(r.Command.Name);
        return names;
    }
}
