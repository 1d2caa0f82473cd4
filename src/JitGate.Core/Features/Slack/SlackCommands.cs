using System.Text.RegularExpressions;
using JitGate.Core.Common;
using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.BreakGlass;
using JitGate.Core.Features.Requests;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// The /jit slash command: "request &lt;database&gt; &lt;tables|*&gt; &lt;duration&gt; &lt;reason&gt;",
/// "break-glass" with the same words, "end [binding]", "status", "link"; anything else gets the usage.
/// Every command acts as the linked JitGate user under the web's rules.
/// </summary>
public sealed partial class SlackCommands(
    JitGateDb db, SlackUsers users, PolicyCache policy, CreateAccessRequest create, ListAccessRequests requests,
    RevokeBinding revoke, ActivateBreakGlass breakGlass, TimeProvider clock, IOptions<JitGateOptions> options)
{
    /// <summary>What /jit answers to anything it does not understand.</summary>
    public const string Usage =
        "Usage:\n• `/jit request <database> <table,table|*> <duration: 30m, 4h, 1d> <reason>`: ask for read access\n" +
        "• `/jit break-glass <database> <table,table|*> <duration> <reason>`: emergency access now, reviewed afterwards (where the project allows it; " +
        "start the reason with `incident:<id>` to tie it to an incident)\n" +
        "• `/jit end [binding]`: give back your access now\n" +
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
            case "break-glass" or "breakglass" when words.Length == 5:
                return await BreakGlassAsync(slackUserId, words[1], words[2], words[3], words[4], ct);
            case "end" when words.Length <= 2:
                return await EndAsync(slackUserId, words.Length == 2 ? words[1] : null, ct);
            default:
                return new SlackReply(Usage);
        }
    }

    private async Task<SlackReply> RequestAsync(string slackUserId, string database, string tables, string durationText, string reason, CancellationToken ct)
    {
        var actor = await users.ActorForAsync(slackUserId, ct);
        if (actor is null) return NotLinked();
        var duration = ParseDuration(durationText);
        if (duration is null) return new SlackReply($"'{E(durationText)}' is not a duration such as 30m, 4h or 1d.\n{Usage}");
        var target = await TargetAsync(actor, database, tables, ct);
        if (target is null) return NoDatabase(database);
        try
        {
            var request = await create.HandleAsync(actor, target.Value.ProjectId, new CreateAccessRequestRequest(null, target.Value.Scope, duration, null, reason, null), ct);
            var link = $"{BaseUrl}/requests/{request.Id}";
            return new SlackReply(request.Status == RequestStatus.Approved
                ? $"Access request #{request.Id} was approved at once (risk {request.RiskLevel}). {link}"
                : $"Access request #{request.Id} created (risk {request.RiskLevel}); waiting for {string.Join(" then ", request.ApprovalSteps.Select(s => RequestDecision.Describe(s.Role)))}. {link}",
                Link: link);
        }
        catch (ApiProblem p)
        {
            return new SlackReply($"Could not create the request: {E(p.Message)}");
        }
    }

    /// <summary>
    /// Break-glass from Slack: the same rules as <c>POST /projects/{p}/break-glass</c> (the project's settings
    /// decide whether it is allowed at all). Answered in the channel, not to the person alone: emergency
    /// access is meant to be seen.
    /// </summary>
    private async Task<SlackReply> BreakGlassAsync(string slackUserId, string database, string tables, string durationText, string reason, CancellationToken ct)
    {
        var actor = await users.ActorForAsync(slackUserId, ct);
        if (actor is null) return NotLinked();
        var duration = ParseDuration(durationText);
        if (duration is null) return new SlackReply($"'{E(durationText)}' is not a duration such as 30m, 4h or 1d.\n{Usage}");
        var target = await TargetAsync(actor, database, tables, ct);
        if (target is null) return NoDatabase(database);
        string? incident = null;
        var m = IncidentPrefix().Match(reason);
        if (m.Success)
        {
            incident = m.Groups[1].Value;
            reason = reason[m.Length..].Trim();
        }
        try
        {
            var result = await breakGlass.HandleAsync(actor, target.Value.ProjectId, new BreakGlassRequest(null, target.Value.Scope, duration, reason, incident), ct);
            var link = $"{BaseUrl}/projects/{target.Value.ProjectId}/members";
            var until = result.Binding.ExpiresAt is { } e ? $" until {e:u}" : "";
            return new SlackReply(
                $":rotating_light: *Break-glass*: {E(actor.Email)} has {result.Binding.Role} on {E(database)}{until} (binding {result.Binding.Id}); " +
                $"review #{result.Review.Id} is due {result.Review.DueAt:u}.\nReason: {E(reason)}", Ephemeral: false, Link: link);
        }
        catch (ApiProblem p)
        {
            return new SlackReply($"Not done: {E(p.Message)}");
        }
    }

    /// <summary>
    /// Gives back the user's own access (the holder's revoke of API.md "Lifecycle"): the one binding they hold in their
    /// own name, or the one named when they hold several. A binding that is not theirs reads as one they do not hold.
    /// </summary>
    private async Task<SlackReply> EndAsync(string slackUserId, string? which, CancellationToken ct)
    {
        var actor = await users.ActorForAsync(slackUserId, ct);
        if (actor is null) return NotLinked();
        var now = clock.GetUtcNow();
        var held = await db.Bindings.AsNoTracking()
            .Where(b => b.PrincipalType == "user" && b.PrincipalId == actor.UserId && b.ProjectId != null && b.RevokedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now))
            .OrderBy(b => b.Id).ToListAsync(ct);
        Domain.Binding? binding;
        if (which is not null)
        {
            if (!long.TryParse(which.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                return new SlackReply($"'{E(which)}' is not a binding number; `/jit status` lists yours.");
            }
            binding = held.FirstOrDefault(b => b.Id == id);
            if (binding is null) return new SlackReply($"You hold no access {id} to give back; `/jit status` lists yours.");
        }
        else if (held.Count == 1)
        {
            binding = held[0];
        }
        else
        {
            return new SlackReply(held.Count == 0 ? "You hold no access to give back."
                : "You hold several: say which, such as `/jit end " + held[0].Id + "`.\n" +
                  string.Join('\n', held.Select(b => $"• {b.Id}: {b.Role} in {E(b.ProjectId)}{(b.ExpiresAt is { } e ? $" until {e:u}" : "")}")));
        }
        await revoke.HandleAsync(actor, binding.ProjectId, binding.Id, ct);
        return new SlackReply($"Done: your {binding.Role} in {E(binding.ProjectId)} (binding {binding.Id}) has ended.");
    }

    /// <summary>A database the user may see, by id or name, and the scope the tables word asks for; null when there is none.</summary>
    private async Task<(string ProjectId, BindingScope Scope)?> TargetAsync(Actor actor, string database, string tables, CancellationToken ct)
    {
        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        // Only databases the user may see are candidates: naming another project's database must not
        // tell them it exists or which project holds it.
        var target = snapshot.Databases.Values
            .Where(d => d.ProjectId is not null && Permissions.CanSeeDatabase(snapshot, actor, d.ProjectId, now))
            .OrderBy(d => d.Id == database ? 0 : 1)
            .FirstOrDefault(d => d.Id == database || d.Name == database);
        if (target?.ProjectId is null) return null;
        BindingScope scope = tables == "*"
            ? new BindingScope { Databases = [target.Id] }
            : new BindingScope { Tables = tables.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => new ScopedTable { Database = target.Id, Table = t }).ToList() };
        return (target.ProjectId, scope);
    }

    private static SlackReply NoDatabase(string database) => new($"There is no database '{E(database)}' you can see.");

    private string BaseUrl => options.Value.PublicUrl.TrimEnd('/');

    /// <summary>User-written text inside mrkdwn.</summary>
    private static string E(string? text) => WebhookMessages.Escape(text ?? "");

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
            $"• {b.Id}: {b.Role} in {E(b.ProjectId ?? "every project")}{(b.ScopeJson is null ? "" : " (" + E(b.ScopeJson) + ")")}{(b.ExpiresAt is { } e ? $" until {e:u} (in {Until(e - now)})" : "")}"));
        lines.Add("*Your pending requests*");
        lines.AddRange(pending.Count == 0 ? ["none"] : pending.Select(r => $"• #{r.Id} {r.Role} in {E(r.Project)} (risk {r.RiskLevel})"));
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

    [GeneratedRegex("^incident:(\\S{1,200})\\s*")]
    private static partial Regex IncidentPrefix();
}
