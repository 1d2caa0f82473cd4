using System.Text.Json.Nodes;

namespace JitGate.Tests.Integrations;

/// <summary>
/// Block Kit's documented limits, checked on a message as Slack would receive it; written from Slack's
/// reference pages independently of JitGate's own truncation, so that a wrong limit there shows here.
/// </summary>
internal static class BlockKitLimits
{
    /// <summary>Every limit the message breaks, as readable lines; empty when Slack would accept it.</summary>
    public static List<string> Violations(JsonNode message)
    {
        var found = new List<string>();
        void Max(string what, string? text, int max)
        {
            if (text is not null && text.Length > max) found.Add($"{what}: {text.Length} characters, limit {max}");
        }
        Max("text", (string?)message["text"], 4000);
        var blocks = message["blocks"]?.AsArray() ?? [];
        if (blocks.Count > 50) found.Add($"blocks: {blocks.Count}, limit 50");
        foreach (var block in blocks)
        {
            Max("block_id", (string?)block!["block_id"], 255);
            switch ((string?)block["type"])
            {
                case "section":
                    Max("section text", (string?)block["text"]?["text"], 3000);
                    var fields = block["fields"]?.AsArray() ?? [];
                    if (fields.Count > 10) found.Add($"section fields: {fields.Count}, limit 10");
                    foreach (var field in fields) Max("section field", (string?)field!["text"], 2000);
                    if (block["accessory"] is { } accessory) Element(accessory);
                    break;
                case "header":
                    Max("header text", (string?)block["text"]?["text"], 150);
                    break;
                case "context":
                    var elements = block["elements"]!.AsArray();
                    if (elements.Count > 10) found.Add($"context elements: {elements.Count}, limit 10");
                    foreach (var element in elements) Max("context text", (string?)element!["text"], 3000);
                    break;
                case "actions":
                    var actions = block["elements"]!.AsArray();
                    if (actions.Count > 25) found.Add($"actions elements: {actions.Count}, limit 25");
                    foreach (var element in actions) Element(element!);
                    break;
            }
        }
        return found;

        void Element(JsonNode element)
        {
            Max("action_id", (string?)element["action_id"], 255);
            if ((string?)element["type"] != "button") return;
            Max("button text", (string?)element["text"]?["text"], 75);
            Max("button value", (string?)element["value"], 2000);
            Max("button url", (string?)element["url"], 3000);
        }
    }

    /// <summary>Text that ends in an escape cut in half ("&amp;am") would show as garbage: true when every '&amp;' starts a whole escape.</summary>
    public static bool EscapesWhole(string mrkdwn)
    {
        for (var i = mrkdwn.IndexOf('&', StringComparison.Ordinal); i >= 0; i = mrkdwn.IndexOf('&', i + 1))
        {
            var rest = mrkdwn.AsSpan(i);
            if (!(rest.StartsWith("&amp;") || rest.StartsWith("&lt;") || rest.StartsWith("&gt;"))) return false;
        }
        return true;
    }
}
