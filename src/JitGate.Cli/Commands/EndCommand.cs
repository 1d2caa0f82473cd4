using System.CommandLine;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary><c>jitgate end BINDING</c>: gives your access back before it expires; it has ended when this returns.</summary>
internal static class EndCommand
{
    public static Command Create()
    {
        var binding = new Argument<long>("binding") { Description = "The binding's id (jitgate status lists them)" };
        var command = new Command("end", "Give access back now") { binding };
        Common.Run(command, async (parse, api, ct) =>
        {
            var id = parse.GetValue(binding);
            var access = (await api.GetAsync(Route.MyAccess, null, null, ct))!.AsObject();
            var mine = access["bindings"]!.AsArray().OfType<JsonObject>().FirstOrDefault(b => b["bindingId"]!.GetValue<long>() == id)
                ?? throw new CliException(ExitCodes.Failed, $"You hold no active binding {id} (jitgate status lists yours).");
            var project = mine["project"]?.GetValue<string>()
                ?? throw new CliException(ExitCodes.Denied, $"Binding {id} is for every project; a workspace admin ends those.");
            await api.SendAsync(Route.RevokeBinding, new Dictionary<string, string> { ["project"] = project, ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null, null, ct);
            if (parse.GetValue(Common.Json)) Output.Json(new JsonObject { ["bindingId"] = id, ["project"] = project, ["status"] = "revoked" });
            else Output.Line($"Binding {id} ended: your {mine["role"]} access in {project} is gone.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
