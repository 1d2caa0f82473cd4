using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate request DATABASE --tables a,b --for 4h --reason TEXT [--wait]</c>: asks for access, shows the risk
/// and the approval steps, and with --wait waits for the decision. Exit 0 approved, 3 rejected or canceled,
/// 4 still pending. With --break-glass the access is there at once (exit 0), where the project allows it.
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
        var start = new Option<string?>("--start") { Description = "When the access should start: RFC 3339 with an offset (2026-12-01T09:00:00Z), or +2h from now; --for counts from it" };
        var incident = new Option<string?>("--incident") { Description = "The incident this is for (an id JitGate knows from the incident tool); access tied to it ends when it resolves" };
        var breakGlass = new Option<bool>("--break-glass") { Description = "Emergency: access at once, without approval, where the project allows it; reviewed afterwards" };
        var command = new Command("request", "Ask for access to a database or some of its tables, for a while, with a reason")
        {
            database, tables, duration, reason, role, wait, timeout, start, incident, breakGlass,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(breakGlass) && (result.GetResult(start) is not null || result.GetValue(wait)))
            {
                result.AddError("--break-glass gives access at once: it takes neither --start nor --wait.");
            }
        });
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
            var json = parse.GetValue(Common.Json);
            var projectValues = new Dictionary<string, string> { ["project"] = project };
            if (parse.GetValue(breakGlass))
            {
                var made = (await api.SendAsync(Route.BreakGlass, projectValues, null,
                    new { role = parse.GetValue(role), scope, duration = iso, reason = parse.GetValue(reason), incident = parse.GetValue(incident) }, ct))!.AsObject();
                if (json) Output.Json(made);
                else Output.Line(BrokeGlass(made));
                return ExitCodes.Ok;
            }
            var startsAt = StartsAt(parse.GetValue(start));
            var created = (await api.SendAsync(Route.CreateRequest, projectValues, null,
                new { role = parse.GetValue(role), scope, duration = iso, reason = parse.GetValue(reason), startsAt, incident = parse.GetValue(incident) }, ct))!.AsObject();
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

    /// <summary>--start as the API takes it: RFC 3339 as given (JitGate checks it, a 400 naming startsAt), or +DURATION from now in UTC.</summary>
    private static string? StartsAt(string? text)
    {
        if (text is null) return null;
        var value = text.Trim();
        return value.StartsWith('+')
            ? (DateTimeOffset.UtcNow + Durations.Parse(value[1..], "--start")).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : value;
    }

    /// <summary>"Break-glass access until …, binding 7; review 3 due by …".</summary>
    private static string BrokeGlass(JsonObject made)
    {
        var binding = made["binding"]!;
        var review = made["review"];
        var until = Common.Time(binding["expiresAt"]) is { } end ? $"until {Output.Time(end)} (in {Output.Left(end, DateTimeOffset.UtcNow)})" : "with no end";
        var due = review is null ? "" : $" Approvers review it (review {review["id"]}, due {(Common.Time(review["dueAt"]) is { } at ? Output.Time(at) : "soon")}).";
        return $"Break-glass access {until}: binding {binding["id"]}.{due} jitgate end {binding["id"]} gives it back.";
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
        var starts = Common.Time(request["startsAt"]) is { } at ? $" Starts {Output.Time(at)}." : "";
        var lines = new List<string> { $"Request {request["id"]}: {request["riskLevel"]} risk, {Words(Status(request))}.{starts}" };
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
