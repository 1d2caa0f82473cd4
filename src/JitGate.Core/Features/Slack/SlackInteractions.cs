using System.Text.Json.Nodes;
using JitGate.Core.Common;
using JitGate.Core.Features.Requests;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// Approve and Reject buttons clicked in Slack: acts as the linked JitGate user under exactly the
/// web's rules, then replaces the Slack message with the outcome and who acted.
/// </summary>
public sealed class SlackInteractions(SlackUsers users, ApproveAccessRequest approve, RejectAccessRequest reject, IHttpClientFactory http)
{
    public async Task<SlackReply> HandleAsync(string payloadJson, CancellationToken ct)
    {
        JsonNode? payload;
        try
        {
            payload = JsonNode.Parse(payloadJson);
        }
        catch (System.Text.Json.JsonException)
        {
            throw ApiProblem.Validation("payload is not JSON.");
        }
        var slackUserId = (string?)payload?["user"]?["id"];
        var action = payload?["actions"]?[0];
        var responseUrl = (string?)payload?["response_url"];
        var actionId = (string?)action?["action_id"];
        if (slackUserId is null || actionId is null) throw ApiProblem.Validation("payload has no user or action.");
        if (actionId == "open") return new SlackReply("");
        if (!long.TryParse((string?)action!["value"], out var requestId)) throw ApiProblem.Validation("The action carries no request id.");

        var actor = await users.ActorForAsync(slackUserId, ct);
        SlackReply reply;
        if (actor is null)
        {
            reply = new SlackReply("Your Slack user is not linked to a JitGate user yet: run `/jit link` first.");
        }
        else
        {
            try
            {
                var result = actionId switch
                {
                    "approve" => await approve.HandleAsync(actor, requestId, new DecisionRequest("Approved in Slack"), ct),
                    "reject" => await reject.HandleAsync(actor, requestId, new DecisionRequest("Rejected in Slack"), ct),
                    _ => throw ApiProblem.Validation($"Unknown action '{actionId}'."),
                };
                var verb = actionId == "approve" ? "approved" : "rejected";
                reply = new SlackReply(
                    $"Access request #{result.Id} by {result.Requester}: {verb} by {actor.Email}" +
                    (result.Status == RequestStatus.Pending ? " (waiting for the next step)." : $" (now {result.Status})."),
                    ReplaceOriginal: true, Ephemeral: false);
            }
            catch (ApiProblem p) when (p.Status is 403 or 404 or 409 or 400)
            {
                reply = new SlackReply($"Not done: {p.Message}");
            }
        }
        await reply.PostAsync(http, responseUrl, ct);
        return reply;
    }
}
