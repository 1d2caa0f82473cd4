using System.Text.Json.Nodes;
using JitGate.Core.Common;
using JitGate.Core.Features.Requests;
using JitGate.Core.Features.Webhooks;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Slack;

/// <summary>A button click as Slack sent it: who clicked, which button, on which request, and where to answer.</summary>
/// <param name="SlackUserId">Slack's <c>user.id</c>.</param>
/// <param name="ActionId"><c>approve</c>, <c>reject</c> or <c>open</c> (a link button, nothing to do).</param>
/// <param name="RequestId">The access request the button is about (its <c>value</c>); 0 for <c>open</c>.</param>
/// <param name="ResponseUrl">Where the updated message goes.</param>
public sealed record SlackClick(string SlackUserId, string ActionId, long RequestId, string? ResponseUrl);

/// <summary>
/// Approve and Reject buttons clicked in Slack: acts as the linked JitGate user under exactly the
/// web's rules, then replaces the Slack message with the outcome and who acted.
/// </summary>
public sealed class SlackInteractions(SlackUsers users, ApproveAccessRequest approve, RejectAccessRequest reject, IOptions<JitGateOptions> options)
{
    /// <summary>Reads Slack's <c>payload</c>; a payload that is not a JitGate click is a 400 naming what is missing.</summary>
    /// <exception cref="ApiProblem">400 validation.</exception>
    public static SlackClick Parse(string payloadJson)
    {
        JsonNode? payload;
        try
        {
            payload = JsonNode.Parse(payloadJson);
        }
        catch (System.Text.Json.JsonException)
        {
            throw ApiProblem.Validation("payload is not JSON.", Field("payload"));
        }
        try
        {
            var slackUserId = (string?)payload?["user"]?["id"];
            var action = payload?["actions"]?[0];
            var actionId = (string?)action?["action_id"];
            if (slackUserId is null || actionId is null) throw ApiProblem.Validation("payload has no user or action.", Field("payload"));
            if (actionId == "open") return new SlackClick(slackUserId, actionId, 0, null);
            if (actionId is not ("approve" or "reject")) throw ApiProblem.Validation($"Unknown action '{actionId}'.", Field("payload.actions"));
            if (!long.TryParse((string?)action!["value"], out var requestId)) throw ApiProblem.Validation("The action carries no request id.", Field("payload.actions"));
            return new SlackClick(slackUserId, actionId, requestId, (string?)payload?["response_url"]);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A field of the wrong JSON type (user an array, value a number).
            throw ApiProblem.Validation("payload is not a Slack block_actions interaction.", Field("payload"));
        }
    }

    /// <summary>Approves or rejects as the linked user; a refusal is a "Not done" reply Slack shows to the clicker alone.</summary>
    public async Task<SlackReply> DecideAsync(SlackClick click, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(click);
        var actor = await users.ActorForAsync(click.SlackUserId, ct);
        if (actor is null) return new SlackReply("Your Slack user is not linked to a JitGate user yet: run `/jit link` first.");
        var link = $"{options.Value.PublicUrl.TrimEnd('/')}/requests/{click.RequestId}";
        try
        {
            var result = click.ActionId == "approve"
                ? await approve.HandleAsync(actor, click.RequestId, new DecisionRequest("Approved in Slack"), ct)
                : await reject.HandleAsync(actor, click.RequestId, new DecisionRequest("Rejected in Slack"), ct);
            var verb = click.ActionId == "approve" ? "approved" : "rejected";
            return new SlackReply(
                $"Access request #{result.Id} by {WebhookMessages.Escape(result.Requester)}: {verb} by {WebhookMessages.Escape(actor.Email)}" +
                (result.Status == RequestStatus.Pending ? " (waiting for the next step)." : $" (now {result.Status}).") + $" {link}",
                ReplaceOriginal: true, Ephemeral: false, Link: link);
        }
        catch (ApiProblem p) when (p.Status is 403 or 404 or 409 or 400)
        {
            return new SlackReply($"Not done: {WebhookMessages.Escape(p.Message)}", Link: link);
        }
    }

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };
}
