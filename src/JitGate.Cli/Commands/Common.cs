using System.CommandLine;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary>What every command shares: --json, --url, running with JitGate's answers turned into exit codes, and finding a database by name.</summary>
internal static class Common
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of text", Recursive = true };

    public static readonly Option<string?> Url = new("--url")
    {
        Description = "JitGate's address (default: JITGATE_URL, or what jitgate login saved)",
        Recursive = true,
    };

    /// <summary>Sets the command's action: a <see cref="CliException"/> prints its message (or its problem as JSON) and exits with its code.</summary>
    public static void Run(Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action, bool needsToken = true) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                using var api = needsToken
                    ? ApiClient.FromSettings(parse.GetValue(Url))
                    : new ApiClient(parse.GetValue(Url) ?? Settings.Load().Url
                        ?? throw new CliException(ExitCodes.Usage, "Where is JitGate? Pass --url https://jitgate.example.com (or set JITGATE_URL)."), null);
                return await action(parse, api, ct);
            }
            catch (CliException e)
            {
                if (parse.GetValue(Json)) Output.Json(e.Problem ?? new JsonObject { ["detail"] = e.Message, ["exitCode"] = e.ExitCode });
                Console.Error.WriteLine("jitgate: " + e.Message);
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("jitgate: interrupted.");
                return 130;
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException or FormatException)
            {
                // An answer that is not JitGate's (a proxy's page, another service at that address): a sentence, not a stack trace.
                var detail = $"JitGate's answer was not what this jitgate understands ({e.Message}); is {parse.GetValue(Url) ?? Settings.Load().Url} JitGate, and of a matching version?";
                if (parse.GetValue(Json)) Output.Json(new JsonObject { ["detail"] = detail, ["exitCode"] = ExitCodes.Failed });
                Console.Error.WriteLine("jitgate: " + detail);
                return ExitCodes.Failed;
            }
        });

    /// <summary>A database by id or by name (GET /databases?name=), refusing a name that several databases share.</summary>
    public static async Task<JsonObject> DatabaseAsync(ApiClient api, string nameOrId, CancellationToken ct)
    {
        var named = (await api.GetAsync(Route.Databases, null, "name=" + Uri.EscapeDataString(nameOrId), ct))?.AsArray() ?? [];
        var exact = named.OfType<JsonObject>().Where(d => d["id"]?.GetValue<string>() == nameOrId).ToList();
        if (exact.Count == 1) return exact[0];
        if (named.Count == 1) return named[0]!.AsObject();
        if (named.Count > 1)
        {
            throw new CliException(ExitCodes.Usage,
                $"Several databases are named {nameOrId}: {string.Join(", ", named.Select(d => $"{d!["id"]} ({d["instance"]}, {d["environment"]})"))}; give its id.");
        }
        try
        {
            return (await api.GetAsync(Route.Database, new Dictionary<string, string> { ["id"] = nameOrId }, null, ct))!.AsObject();
        }
        catch (CliException e) when (e.ExitCode == ExitCodes.Failed)
        {
            throw new CliException(ExitCodes.Failed, $"No database named {nameOrId} that you can see.", e.Problem);
        }
    }

    public static Dictionary<string, string> Id(object id) => new() { ["id"] = Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture)! };

    public static DateTimeOffset? Time(JsonNode? node) => node is null ? null : node.GetValue<DateTimeOffset>();
}
