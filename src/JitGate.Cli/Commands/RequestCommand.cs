using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate request DATABASE --tables a,b --for 4h --reason TEXT [--wait]</c>: asks for access, shows the risk
/// and the approval steps, and with --wait waits for the decision. Exit 0 approved, 3 rejected or canceled,
/// 4 still pending.
/// </summary>
internal static partial class RequestCommand
{
    public static Command Create()
    {
        var database = new Argument<string>("database") { Description = "The database (its name or id), such as hr_prod" };
        var tables = new Option<string?>("--tables") { Description = "Only these tables, separated by commas (schema.table where needed); default: the whole database" };
        var duration = new Option<string>("--for") { Description = "How long: 30m, 4h, 1d, 1h30m, or ISO 8601 (PT4H)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why, for the approvers and the audit (a ticket, an incident)", Required = true };
        var role = new Option<string>("--role") { Description = "The role to ask for", DefaultValueFactory = _ => "sqlEditorUser" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the decision" };
        var timeout = new Option<string>("--timeout") { Description = "How long --wait waits (same units as --for)", DefaultValueFactory = _ => "30m" };
        var command = new Command("request", "Ask for access to a database or some of its tables, for a while, with a reason")
        {
            database, tables, duration, reason, role, wait, timeout,
        };
        Common.Run(command, async (parse, api, ct) =>
        {
            var iso = Durations.ToIso(parse.GetValue(duration)!, "--for");
            var waitFor = Durations.Parse(parse.GetValue(timeout)!, "--timeout");
            var db = await Common.DatabaseAsync(api, parse.GetValue(database)!, ct);
            var id = db["id"]!.GetValue<string>();
            var project = db["project"]?.GetValue<string>() ?? throw new CliException(ExitCodes.Failed, $"{id} belongs to no project, so access to it cannot be requested.");
            object scope = parse.GetValue(tables) is { Length: > 0 } list
                ? new { tables = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Table(id, t)).ToList() }
                : new { databases = new[] { id } };
            var created = (await api.SendAsync(Route.CreateRequest, new Dictionary<string, string> { ["project"] = project }, null,
                new { role = parse.GetValue(role), scope, duration = iso, reason = parse.GetValue(reason) }, ct))!.AsObject();
            var json = parse.GetValue(Common.Json);
            if (!json) Output.Line(Describe(created));
            var request = created;
            if (parse.GetValue(wait) && Status(request) == "pendingApproval")
            {
                request = await WaitAsync(api, request["id"]!.GetValue<long>(), waitFor, json, ct);
            }
            if (json) Output.Json(request);
            else if (!ReferenceEquals(request, created) || Status(request) != "pendingApproval") Output.Line(Outcome(request, await UntilAsync(api, request, ct)));
            return ExitFor(request);
        });
        return command;
    }

    private sealed record TableRef(string Database, string? Schema, string Table);

    private static TableRef Table(string database, string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? new TableRef(database, text[..dot], text[(dot + 1)..]) : new TableRef(database, null, text);
    }

    internal static string Status(JsonObject request) => request["status"]!.GetValue<string>();

    internal static int ExitFor(JsonObject request) => Status(request) switch
    {
        "approved" => ExitCodes.Ok,
        "pendingApproval" => ExitCodes.Pending,
        _ => ExitCodes.Denied,
    };

    /// <summary>"Request 12 (high risk) waits for: 1. Project Owner" and the like.</summary>
    internal static string Describe(JsonObject request)
    {
        var steps = request["approvalSteps"]?.AsArray() ?? [];
        var lines = new List<string> { $"Request {request["id"]}: {request["riskLevel"]} risk, {Words(Status(request))}." };
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i]!;
            var by = step["by"] is { } who ? $" by {who}" : "";
            lines.Add($"  {i + 1}. {Words(step["role"]!.GetValue<string>())}: {step["status"]}{by}");
        }
        return string.Join(Environment.NewLine, lines);
    }

    internal static string Outcome(JsonObject request, DateTimeOffset? until) => Status(request) switch
    {
        "approved" => $"Approved: access {(until is { } end ? "until " + Output.Time(end) : "for " + request["duration"])} (binding {request["bindingId"]}).",
        "pendingApproval" => "Still waiting for approval.",
        var other => $"Request {request["id"]} was {Words(other)}.",
    };

    /// <summary>
    /// When the approved access ends: a request asked for a duration carries no end of its own (the clock starts at
    /// approval), so the binding it created says, as <c>GET /me/access</c> lists it.
    /// </summary>
    private static async Task<DateTimeOffset?> UntilAsync(ApiClient api, JsonObject request, CancellationToken ct)
    {
        if (Status(request) != "approved") return null;
        if (Common.Time(request["expiresAt"]) is { } asked) return asked;
        if (request["bindingId"]?.GetValue<long>() is not { } bindingId) return null;
        var access = (await api.GetAsync(Route.MyAccess, null, null, ct))?.AsObject();
        var binding = access?["bindings"]?.AsArray().OfType<JsonObject>().FirstOrDefault(b => b["bindingId"]?.GetValue<long>() == bindingId);
        return Common.Time(binding?["expiresAt"]);
    }

    private static async Task<JsonObject> WaitAsync(ApiClient api, long id, TimeSpan timeout, bool json, CancellationToken ct)
    {
        if (!json) Output.Note("Waiting for the decision (Ctrl+C stops waiting; the request stays)...");
        var deadline = DateTimeOffset.UtcNow + timeout;
        var every = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("JITGATE_POLL_MS"), CultureInfo.InvariantCulture, out var ms) ? ms : 2000);
        while (true)
        {
            var request = (await api.GetAsync(Route.Request, Common.Id(id), null, ct))!.AsObject();
            if (Status(request) != "pendingApproval" || DateTimeOffset.UtcNow >= deadline) return request;
            await Task.Delay(every, ct);
        }
    }

    /// <summary>projectOwner → "project owner", pendingApproval → "pending approval".</summary>
    internal static string Words(string camel) => CamelWord().Replace(camel, m => " " + m.Value.ToLowerInvariant());

    [GeneratedRegex("[A-Z]")]
    private static partial Regex CamelWord();
}
