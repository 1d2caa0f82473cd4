using System.CommandLine;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate query DATABASE "select …"</c>: one read-only statement with your access, printed as a table, CSV or
/// JSON. A denial (exit 3) names what was refused and the request that would cover it.
/// </summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var database = new Argument<string>("database") { Description = "The database (its name or id)" };
        var statement = new Argument<string>("statement") { Description = "One read-only SQL statement" };
        var format = new Option<string>("--format") { Description = "table, csv or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var maxRows = new Option<int?>("--max-rows") { Description = "At most this many rows (JitGate's default: 1000)" };
        var command = new Command("query", "Run one read-only statement and print the rows") { database, statement, format, maxRows };
        Common.Run(command, async (parse, api, ct) =>
        {
            var db = await Common.DatabaseAsync(api, parse.GetValue(database)!, ct);
            var id = db["id"]!.GetValue<string>();
            JsonObject answer;
            try
            {
                answer = (await api.SendAsync(Route.Query, null, null, new { database = id, statement = parse.GetValue(statement), maxRows = parse.GetValue(maxRows) }, ct))!.AsObject();
            }
            catch (CliException e) when (e.Problem?["deniedResources"] is JsonArray denied && denied.Count > 0)
            {
                var tables = denied.Select(r => Output.Cell(r!["table"])).Where(t => t.Length > 0).Distinct().ToList();
                var hint = e.Problem["requestable"]?.GetValue<bool>() == true && tables.Count > 0
                    ? $" Ask for it: jitgate request {db["name"]} --tables {string.Join(',', tables)} --for 1h --reason \"...\""
                    : "";
                throw new CliException(e.ExitCode, e.Message + hint, e.Problem);
            }
            var columns = answer["columns"]!.AsArray().Select(c => Output.Cell(c!["name"])).ToList();
            var rows = answer["rows"]!.AsArray().Select(r => (IReadOnlyList<string>)r!.AsArray().Select(Output.Cell).ToList()).ToList();
            switch (parse.GetValue(Common.Json) ? "json" : parse.GetValue(format))
            {
                case "json":
                    Output.Json(answer);
                    break;
                case "csv":
                    Console.Out.Write(Output.Csv(columns, rows));
                    break;
                default:
                    Console.Out.Write(Output.Table(columns, rows));
                    Output.Line($"({answer["rowCount"]} row{(answer["rowCount"]!.GetValue<int>() == 1 ? "" : "s")}{(answer["truncated"]?.GetValue<bool>() == true ? ", more not shown" : "")})");
                    break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
