using System.Text.RegularExpressions;
using JitGate.Core.Common;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Requests;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// The /jit slash command: "request &lt;database&gt; &lt;tables|*&gt; &lt;duration&gt; &lt;reason&gt;",
/// "status", "link"; anything else gets the usage.
/// </summary>
public sealed partial class SlackCommands(
    JitGateDb db, SlackUsers users, PolicyCache policy, CreateAccessRequest create, ListAccessRequests requests, TimeProvider clock, IOptions<JitGateOptions> options)
{
    public const string Usage =
        "Usage:\n• `/jit request <database> <table,table|*> <duration: 30m, 4h, 1d> <reason>`: ask for read access\n" +
        "• `/jit status`: your active access and pending requests\n• `/jit link`: link your Slack user to JitGate";

    public async Task<SlackReply> HandleAsync(string slackUserId, string text, CancellationToken ct)
    {
        var words = (text ?? "").Trim().Split(' ', 5, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) return new SlackReply(Usage);
        switch (words[0].ToLowerInvariant())
        {
            case "link":
                var code = await users.NewLinkCodeAsync(slackUserId, ct);
                return new SlackReply($"To link your Slack user, open {options.Value.PublicUrl.TrimEnd('/')}/slack/link?code={code} while signed in to JitGate " +
                    $"(or POST {{\"code\":\"{code}\"}} to /api/v1/integrations/slack/link). The code works for 10 minutes.");
            case "status" when words.Length == 1:
                return await StatusAsync(slackUserId, ct);
            case "request" when words.Length == 5:
                return await RequestAsync(slackUserId, words[1], words[2], words[3], words[4], ct);
            default:
                return new SlackReply(Usage);
        }
    }

    private async Task<SlackReply> RequestAsync(string slackUserId, string database, string tables, string durationText, string reason, CancellationToken ct)
    {
        var actor = await users.ActorForAsync(slackUserId, ct);
        if (actor is null) return NotLinked();
        var duration = ParseDuration(durationText);
        if (duration is null) return new SlackReply($"'{durationText}' is not a duration such as 30m, 4h or 1d.\n{Usage}");
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        // Only databases the user may see are candidates: naming another project's database must not
        // tell them it exists or which project holds it.
        var target = snapshot.Databases.Values
            .Where(d => d.ProjectId is not null && Permissions.CanSeeDatabase(snapshot, actor, d.ProjectId, now))
            .OrderBy(d => d.Id == database ? 0 : 1)
            .FirstOrDefault(d => d.Id == database || d.Name == database);
        if (target?.ProjectId is null) return new SlackReply($"There is no database '{database}' you can see.");
        BindingScope scope = tables == "*"
            ? new BindingScope { Databases = [target.Id] }
            : new BindingScope { Tables = tables.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => new ScopedTable { Database = target.Id, Table = t }).ToList() };
        try
        {
            var request = await create.HandleAsync(actor, target.ProjectId, new CreateAccessRequestRequest(null, scope, duration, null, reason, null), ct);
            var link = $"{options.Value.PublicUrl.TrimEnd('/')}/requests/{request.Id}";
            return new SlackReply(request.Status == RequestStatus.Approved
                ? $"Access request #{request.Id} was approved at once (risk {request.RiskLevel}). {link}"
                : $"Access request #{request.Id} created (risk {request.RiskLevel}); waiting for {string.Join(" then ", request.ApprovalSteps.Select(s => RequestDecision.Describe(s.Role)))}. {link}");
        }
        catch (ApiProblem p)
        {
            return new SlackReply($"Could not create the request: {p.Message}");
        }
    }

    private async Task<SlackReply> StatusAsync(string slackUserId, CancellationToken ct)
    {
        var actor = await users.ActorForAsync(slackUserId, ct);
        if (actor is null) return NotLinked();
        var now = clock.GetUtcNow();
        var bindings = await db.Bindings.AsNoTracking()
            .Where(b => b.PrincipalType == "user" && b.PrincipalId == actor.UserId && b.RevokedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now))
            .OrderBy(b => b.Id).ToListAsync(ct);
        var pending = await requests.AcrossProjectsAsync(actor, "mine", RequestStatus.Pending, ct);
        var lines = new List<string> { "*Your access*" };
        lines.AddRange(bindings.Count == 0 ? ["none"] : bindings.Select(b =>
            $"• {b.Role} in {b.ProjectId ?? "every project"}{(b.ScopeJson is null ? "" : " (" + b.ScopeJson + ")")}{(b.ExpiresAt is { } e ? $" until {e:u} (in {Until(e - now)})" : "")}"));
        lines.Add("*Your pending requests*");
        lines.AddRange(pending.Count == 0 ? ["none"] : pending.Select(r => $"• #{r.Id} {r.Role} in {r.Project} (risk {r.RiskLevel})"));
        return new SlackReply(string.Join('\n', lines));
    }

    private static string Until(TimeSpan left) => left.TotalHours >= 1 ? $"{(int)left.TotalHours} h {left.Minutes} min" : $"{Math.Max(1, (int)left.TotalMinutes)} min";

    private static SlackReply NotLinked() => new("Your Slack user is not linked to a JitGate user yet: run `/jit link` first.");

    /// <summary>30m, 4h, 1d, 2w, or an ISO 8601 duration.</summary>
    public static string? ParseDuration(string text)
    {
        var m = ShortDuration().Match(text);
        if (m.Success)
        {
            var n = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return m.Groups[2].Value.ToLowerInvariant() switch
            {
                "m" => $"PT{n}M",
                "h" => $"PT{n}H",
                "d" => $"P{n}D",
                _ => $"P{n * 7}D",
            };
        }
        return Durations.TryParse(text.ToUpperInvariant(), out _) ? text.ToUpperInvariant() : null;
    }

    [GeneratedRegex("^([0-9]{1,4})([mhdwMHDW])$")]
    private static partial Regex ShortDuration();
}
