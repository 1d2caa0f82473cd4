using System.CommandLine;

namespace JitGate.Cli.Commands;

/// <summary><c>jitgate approve ID</c> and <c>jitgate reject ID --comment TEXT</c>: decide the current step of a request you approve.</summary>
internal static class DecideCommand
{
    public static Command Create(bool approve)
    {
        var id = new Argument<long>("id") { Description = "The request's id" };
        var comment = new Option<string?>("--comment") { Description = approve ? "A comment for the requester" : "Why (required)", Required = !approve };
        var command = new Command(approve ? "approve" : "reject", approve ? "Approve a request's current step" : "Reject a request") { id, comment };
        Common.Run(command, async (parse, api, ct) =>
        {
            var request = (await api.SendAsync(approve ? Route.Approve : Route.Reject, Common.Id(parse.GetValue(id)), null,
                new { comment = parse.GetValue(comment) }, ct))!.AsObject();
            if (parse.GetValue(Common.Json)) Output.Json(request);
            else Output.Line(RequestCommand.Describe(request));
            return ExitCodes.Ok;
        });
        return command;
    }
}
