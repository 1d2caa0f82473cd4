using System.CommandLine;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary><c>jitgate status</c>: my requests, what I may read now with the time left, and the requests waiting for my approval.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "List your requests, your access with the time left, and requests waiting for your approval");
        Common.Run(command, async (parse, api, ct) =>
        {
            var requests = (await api.GetAsync(Route.Requests, null, "filter=mine", ct))?.AsArray() ?? [];
            var access = (await api.GetAsync(Route.MyAccess, null, null, ct))!.AsObject();
            var toDecide = (await api.GetAsync(Route.Requests, null, "filter=waitingForMe", ct))?.AsArray() ?? [];
            if (parse.GetValue(Common.Json))
            {
                Output.Json(new JsonObject { ["requests"] = requests.DeepClone(), ["access"] = access.DeepClone(), ["waitingForMe"] = toDecide.DeepClone() });
                return ExitCodes.Ok;
            }
            var now = DateTimeOffset.UtcNow;
            Output.Line("Requests");
            Output.Line(requests.Count == 0 ? "  none" + Environment.NewLine : Output.Table(["id", "project", "status", "risk", "scope", "reason"],
                requests.OfType<JsonObject>().OrderByDescending(r => r["id"]!.GetValue<long>()).Take(20).Select(r => (IReadOnlyList<string>)
                [
                    Output.Cell(r["id"]), Output.Cell(r["project"]), RequestCommand.Words(RequestCommand.Status(r)), Output.Cell(r["riskLevel"]),
                    Scope(r["scope"]), Output.Cell(r["reason"]),
                ])));
            Output.Line("Access");
            var databases = access["databases"]!.AsArray().OfType<JsonObject>().Where(d => d["canQuery"]?.GetValue<bool>() == true).ToList();
            Output.Line(databases.Count == 0 ? "  none: jitgate request DATABASE --for 1h --reason WHY" + Environment.NewLine : Output.Table(["database", "tables", "until", "left"],
                databases.Select(d => (IReadOnlyList<string>)
                [
                    Output.Cell(d["database"]!["id"]),
                    d["allTables"]!.GetValue<bool>() ? "all" : string.Join(", ", d["tables"]!.AsArray().Select(Output.Cell)),
                    Common.Time(d["until"]) is { } until ? Output.Time(until) : "no end",
                    Common.Time(d["until"]) is { } end ? Output.Left(end, now) : "",
                ])));
            var bindings = access["bindings"]!.AsArray().OfType<JsonObject>().ToList();
            if (bindings.Count > 0)
            {
                Output.Line("Bindings (jitgate end ID gives one back)");
                Output.Line(Output.Table(["id", "project", "role", "left"], bindings.Select(b => (IReadOnlyList<string>)
                [
                    Output.Cell(b["bindingId"]), Output.Cell(b["project"]) is { Length: > 0 } p ? p : "all projects", Output.Cell(b["role"]),
                    Common.Time(b["expiresAt"]) is { } end ? Output.Left(end, now) : "no end",
                ])));
            }
            if (toDecide.Count > 0)
            {
                Output.Line("Waiting for you (jitgate approve ID, jitgate reject ID --comment WHY)");
                Output.Line(Output.Table(["id", "project", "requester", "risk", "scope", "for", "reason"],
                    toDecide.OfType<JsonObject>().OrderBy(r => r["id"]!.GetValue<long>()).Select(r => (IReadOnlyList<string>)
                    [
                        Output.Cell(r["id"]), Output.Cell(r["project"]), Output.Cell(r["requester"]), Output.Cell(r["riskLevel"]), Scope(r["scope"]),
                        Output.Cell(r["duration"]), Output.Cell(r["reason"]),
                    ])));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Scope(JsonNode? scope)
    {
        if (scope is null) return "whole project";
        var tables = scope["tables"]?.AsArray().Select(t => $"{t!["database"]}.{t["table"]}").ToList() ?? [];
        var databases = scope["databases"]?.AsArray().Select(Output.Cell).ToList() ?? [];
        return string.Join(", ", databases.Concat(tables));
    }
}
