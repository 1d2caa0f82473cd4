using System.CommandLine;

namespace JitGate.Cli.Commands;

/// <summary><c>jitgate cancel ID</c>: withdraws a request of yours that still waits (one a --wait left behind, say).</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var id = new Argument<long>("id") { Description = "The request's id (jitgate status lists yours)" };
        var command = new Command("cancel", "Withdraw a request of yours that still waits for approval") { id };
        Common.Run(command, async (parse, api, ct) =>
        {
            var request = (await api.SendAsync(Route.Cancel, Common.Id(parse.GetValue(id)), null, new { }, ct))!.AsObject();
            if (parse.GetValue(Common.Json)) Output.Json(request);
            else Output.Line(RequestCommand.Outcome(request, null));
            return ExitCodes.Ok;
        });
        return command;
    }
}
