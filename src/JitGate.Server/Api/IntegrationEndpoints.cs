using JitGate.Core.Common;
using JitGate.Core.Features.Slack;
using JitGate.Core.Features.Tokens;
using JitGate.Core.Features.Webhooks;
using JitGate.Server.Auth;

namespace JitGate.Server.Api;

internal static class IntegrationEndpoints
{
    public static RouteGroupBuilder MapIntegrations(this RouteGroupBuilder api)
    {
        var hooks = api.MapGroup("/projects/{project}/webhooks").WithTags("Integrations").RequireAuthorization().Problems(401, 403, 404);
        hooks.MapPost("/", async (string project, CreateWebhookRequest body, Webhooks w, HttpContext ctx, CancellationToken ct) =>
        {
            var hook = await w.CreateAsync(ctx.Actor(), project, body, ct);
            return TypedResults.Created($"/api/v1/projects/{project}/webhooks/{hook.Id}", hook);
        }).WithName("createWebhook").Problems(400).WithSummary("Add a slack, teams or generic webhook; a generated secret is shown once");
        hooks.MapGet("/", async (string project, Webhooks w, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await w.ListAsync(ctx.Actor(), project, ct)))
            .WithName("listWebhooks").WithSummary("A project's webhooks (their URLs shortened, secrets never shown)");
        hooks.MapDelete("/{id:long}", async (string project, long id, Webhooks w, HttpContext ctx, CancellationToken ct) =>
        {
            await w.DeleteAsync(ctx.Actor(), project, id, ct);
            return TypedResults.NoContent();
        }).WithName("deleteWebhook").WithSummary("Remove a webhook; nothing more is sent to it");
        hooks.MapGet("/{id:long}/deliveries", async (string project, long id, Webhooks w, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await w.DeliveriesAsync(ctx.Actor(), project, id, ct))).WithName("listWebhookDeliveries").WithSummary("The delivery log: status, response codes, attempts");
        hooks.MapPost("/{id:long}/deliveries/{deliveryId:long}/resend", async (string project, long id, long deliveryId, Webhooks w, HttpContext ctx, CancellationToken ct) =>
        {
            await w.ResendAsync(ctx.Actor(), project, id, deliveryId, ct);
            return TypedResults.Accepted((string?)null);
        }).WithName("resendWebhookDelivery").WithSummary("Send a delivery again, with the same event id");
        hooks.MapPost("/{id:long}/test", async (string project, long id, Webhooks w, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Accepted((string?)null, await w.TestAsync(ctx.Actor(), project, id, ct))).WithName("testWebhook").WithSummary("Queue a ping to this webhook");

        var tokens = api.MapGroup("/me/tokens").WithTags("Integrations").RequireAuthorization().Problems(401);
        tokens.MapPost("/", async (CreateTokenRequest body, PersonalTokens t, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Created("/api/v1/me/tokens", await t.CreateAsync(ctx.Actor(), body, ct))).WithName("createPersonalToken").Problems(400, 403).WithSummary("A personal access token, shown once");
        tokens.MapGet("/", async (PersonalTokens t, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await t.ListAsync(ctx.Actor(), ct)))
            .WithName("listPersonalTokens").WithSummary("Your personal access tokens (never the token text)");
        tokens.MapDelete("/{id:long}", async (long id, PersonalTokens t, HttpContext ctx, CancellationToken ct) =>
        {
            await t.RevokeAsync(ctx.Actor(), id, ct);
            return TypedResults.NoContent();
        }).WithName("revokePersonalToken").Problems(404).WithSummary("Revoke one of your personal access tokens");

        var accounts = api.MapGroup("/service-accounts").WithTags("Integrations").RequireAuthorization().Problems(401, 403);
        accounts.MapPost("/", async (CreateServiceAccountRequest body, ServiceAccounts s, HttpContext ctx, CancellationToken ct) =>
        {
            var account = await s.CreateAsync(ctx.Actor(), body, ct);
            return TypedResults.Created($"/api/v1/service-accounts/{account.Id}", account);
        }).WithName("createServiceAccount").Problems(400, 409).WithSummary("A service account and its first token, shown once");
        accounts.MapGet("/", async (ServiceAccounts s, HttpContext ctx, CancellationToken ct) => TypedResults.Ok(await s.ListAsync(ctx.Actor(), ct)))
            .WithName("listServiceAccounts").WithSummary("Service accounts and their tokens (never the token text)");
        accounts.MapPost("/{id:long}/tokens", async (long id, CreateTokenRequest body, ServiceAccounts s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Created($"/api/v1/service-accounts/{id}", await s.IssueTokenAsync(ctx.Actor(), id, body, ct)))
            .WithName("issueServiceAccountToken").Problems(400, 404).WithSummary("Another token for a service account, shown once");
        accounts.MapDelete("/{id:long}/tokens/{tokenId:long}", async (long id, long tokenId, ServiceAccounts s, HttpContext ctx, CancellationToken ct) =>
        {
            await s.RevokeTokenAsync(ctx.Actor(), id, tokenId, ct);
            return TypedResults.NoContent();
        }).WithName("revokeServiceAccountToken").Problems(404).WithSummary("Revoke one of a service account's tokens");

        api.MapPut("/settings/slack", async (SlackSettingsRequest body, SlackSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.PutAsync(ctx.Actor(), body, ct))).RequireAuthorization().WithTags("Integrations")
            .WithName("putSlackSettings").Problems(400, 401, 403).WithSummary("Set the Slack app's signing secret and bot token (kept encrypted, never shown again)");
        api.MapGet("/settings/slack", async (SlackSettings s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.GetAsync(ctx.Actor(), ct))).RequireAuthorization().WithTags("Integrations")
            .WithName("getSlackSettings").Problems(401, 403).WithSummary("Whether Slack is configured (the secrets are never shown)");
        api.MapPost("/integrations/slack/link", async (LinkSlackRequest body, SlackUsers s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.RedeemAsync(ctx.Actor(), body, ct))).RequireAuthorization().WithTags("Integrations")
            .WithName("linkSlackUser").Problems(400, 401)
            .WithSummary("Redeem the code '/jit link' gave, linking your Slack user to you");
        api.MapPut("/users/{id:long}/slack", async (long id, SetSlackUserRequest body, SlackUsers s, HttpContext ctx, CancellationToken ct) =>
            TypedResults.Ok(await s.SetAsync(ctx.Actor(), id, body, ct))).RequireAuthorization().WithTags("Integrations")
            .WithName("setUserSlackId").Problems(400, 401, 403, 404).WithSummary("Link a user to a Slack user id (workspace admins)");

        var slack = api.MapGroup("/integrations/slack").WithTags("Integrations").DisableAntiforgery();
        // Slack gives an app 3 seconds: the work gets 2 (SlackAnswers.Budget), and what is owed to Slack
        // afterwards (the response_url post, the result of slow work) goes out from the Slack outbox.
        slack.MapPost("/commands", async (HttpContext ctx, SlackVerifier verifier, SlackAnswers answers, CancellationToken ct) =>
        {
            var form = await VerifiedFormAsync(ctx, verifier, ct);
            var userId = form["user_id"].ToString();
            var text = form["text"].ToString();
            var reply = await answers.AnswerAsync((sp, token) => sp.GetRequiredService<SlackCommands>().HandleAsync(userId, text, token),
                form["response_url"].ToString(), alwaysPost: false);
            return TypedResults.Ok(reply.ToJson());
        }).WithName("slackCommand").SignedBySlack().Accepts<SlackCommandForm>("application/x-www-form-urlencoded").Problems(400, 401, 413)
            .WithSummary("Slack's /jit slash command (signed by Slack)");
        slack.MapPost("/interactions", async (HttpContext ctx, SlackVerifier verifier, SlackAnswers answers, CancellationToken ct) =>
        {
            var form = await VerifiedFormAsync(ctx, verifier, ct);
            var click = SlackInteractions.Parse(form["payload"].ToString());
            if (click.ActionId == "open") return TypedResults.Ok(new SlackReply("").ToJson());
            // Slack ignores the HTTP answer to a button click; the updated message goes to the response_url.
            var reply = await answers.AnswerAsync((sp, token) => sp.GetRequiredService<SlackInteractions>().DecideAsync(click, token),
                click.ResponseUrl, alwaysPost: true);
            return TypedResults.Ok(reply.ToJson());
        }).WithName("slackInteraction").SignedBySlack().Accepts<SlackInteractionForm>("application/x-www-form-urlencoded").Problems(400, 401, 413)
            .WithSummary("Slack button clicks (signed by Slack)");
        return api;
    }

    /// <summary>Reads the raw body once: the signature covers the exact bytes Slack sent.</summary>
    private static async Task<Microsoft.AspNetCore.Http.IFormCollection> VerifiedFormAsync(HttpContext ctx, SlackVerifier verifier, CancellationToken ct)
    {
        if (ctx.Request.ContentLength is > 256 * 1024) throw new ApiProblem(413, "too-large", "Too large", "Slack requests are small; this one is not.");
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync(ct);
        await verifier.VerifyAsync(ctx.Request.Headers["X-Slack-Request-Timestamp"], ctx.Request.Headers["X-Slack-Signature"], body, ct);
        // Slack calls carry no bearer token, so nothing has checked for changes by other replicas yet.
        await ctx.RequestServices.GetRequiredService<JitGate.Core.Policy.PolicyCache>().GetFreshAsync(ct);
        return new Microsoft.AspNetCore.Http.FormCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body));
    }
}
