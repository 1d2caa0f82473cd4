using System.Text;
using System.Text.Json.Nodes;
using JitGate.Core.Features.Slack;

namespace JitGate.Core.Features.Webhooks;

/// <summary>Turns an event payload into what each receiver type expects.</summary>
public static class WebhookMessages
{
    public static string Body(string type, string payloadJson) => type switch
    {
        WebhookTypes.Slack => Slack(JsonNode.Parse(payloadJson)!).ToJsonString(),
        WebhookTypes.Teams => Teams(JsonNode.Parse(payloadJson)!).ToJsonString(),
        _ => payloadJson,
    };

    /// <summary>
    /// Slack Block Kit: a summary, the risk and steps, and for approvalNeeded the Approve and Reject buttons.
    /// Every text is cut to Block Kit's limits (<see cref="SlackLimits"/>) after escaping, ending in "…" and a
    /// link to the request, so a long reason never makes Slack refuse the message.
    /// </summary>
    public static JsonObject Slack(JsonNode payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var link = (string?)payload["link"];
        var summary = SlackLimits.FitMrkdwn(Summary(payload, slack: true), SlackLimits.SectionText, link);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = summary } },
        };
        var request = payload["request"];
        if (request is not null)
        {
            var steps = request["approvalSteps"]?.AsArray().Select(s => $"{s!["role"]}: {s["status"]}") ?? [];
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = SlackLimits.FitMrkdwn(Escape($"Risk {request["riskLevel"]} · Steps: {string.Join(", ", steps)}"), SlackLimits.TextObject, null) }),
            });
        }
        var actions = new JsonArray();
        if ((string?)payload["event"] == "approvalNeeded" && request is not null)
        {
            var id = request["id"]!.ToString();
            actions.Add(Button("Approve", "approve", id, "primary"));
            actions.Add(Button("Reject", "reject", id, "danger"));
        }
        actions.Add(new JsonObject
        {
            ["type"] = "button",
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Open in JitGate" },
            ["url"] = link,
            ["action_id"] = "open",
        });
        blocks.Add(new JsonObject { ["type"] = "actions", ["elements"] = actions });
        // The top-level text is Slack's notification and fallback; Slack reads it as mrkdwn too, so it is
        // escaped like the blocks (a reason must not ping a channel from a notification either).
        return new JsonObject { ["text"] = SlackLimits.FitMrkdwn(Summary(payload, slack: true), SlackLimits.MessageText, link), ["blocks"] = blocks };
    }

    public static JsonObject Teams(JsonNode payload) => new()
    {
        ["@type"] = "MessageCard",
        ["@context"] = "https://schema.org/extensions",
        ["summary"] = $"JitGate: {payload["event"]}",
        ["text"] = Summary(payload, slack: false),
        ["potentialAction"] = new JsonArray(new JsonObject
        {
            ["@type"] = "OpenUri",
            ["name"] = "Open in JitGate",
            ["targets"] = new JsonArray(new JsonObject { ["os"] = "default", ["uri"] = (string?)payload["link"] }),
        }),
    };

    /// <summary>One readable paragraph about the event; user-written text is escaped for Slack.</summary>
    public static string Summary(JsonNode payload, bool slack)
    {
        string E(string? s) => slack ? Escape(s ?? "") : s ?? "";
        var sb = new StringBuilder();
        var request = payload["request"];
        var binding = payload["binding"];
        var title = (string?)payload["event"] switch
        {
            "requestCreated" => "New access request",
            "approvalNeeded" => "Approval needed",
            "requestApproved" => "Access request approved",
            "requestRejected" => "Access request rejected",
            "requestCanceled" => "Access request canceled",
            "accessExpiringSoon" => "Access expiring soon",
            "accessExpired" => "Access expired",
            "accessRevoked" => "Access revoked",
            var other => other ?? "Event",
        };
        sb.Append(slack ? $"*{title}*" : title);
        if (request is not null)
        {
            sb.Append($" #{request["id"]} by {E((string?)request["requester"])}\n");
            sb.Append($"Role {E((string?)request["role"])} in {E((string?)request["project"])} on {E(ScopeText(request["scope"]))}");
            sb.Append(request["duration"] is { } d ? $" for {E((string?)d)}" : $" until {request["expiresAt"]}");
            sb.Append($"\nReason: {E((string?)request["reason"])}");
        }
        else if (binding is not null)
        {
            sb.Append($": {E((string?)binding["principal"])} as {E((string?)binding["role"])} (binding {binding["id"]}, expires {binding["expiresAt"]})");
        }
        return sb.ToString();
    }

    private static string ScopeText(JsonNode? scope)
    {
        if (scope is null) return "every database";
        var parts = new List<string>();
        if (scope["databases"] is JsonArray dbs) parts.AddRange(dbs.Select(d => (string)d!));
        if (scope["tables"] is JsonArray tables) parts.AddRange(tables.Select(t => $"{t!["database"]}.{t["table"]}"));
        return string.Join(", ", parts);
    }

    private static JsonObject Button(string text, string actionId, string value, string style) => new()
    {
        ["type"] = "button",
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = text },
        ["action_id"] = actionId,
        ["value"] = value,
        ["style"] = style,
    };

    /// <summary>Slack's mrkdwn escaping, so a reason cannot ping a channel or fake a link.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
