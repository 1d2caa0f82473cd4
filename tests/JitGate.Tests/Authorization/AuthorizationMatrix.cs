using static JitGate.Tests.Authorization.MatrixWorld;

namespace JitGate.Tests.Authorization;

/// <summary>
/// One route of the matrix: the request a cell sends, and the status each of the nine callers must get,
/// in the order of <see cref="Who"/> (anonymous, member, dev, editor, owner, dba, admin, billing, bot).
/// A status is exact ("404") or a class ("2xx").
/// </summary>
public sealed record MatrixRow(string Method, string Route, string Expected, Func<MatrixWorld, Who, Task<HttpRequestMessage>> Request)
{
    /// <summary>Why the route answers as it does when that is not obvious, or why it cannot be exercised further.</summary>
    public string? Note { get; init; }

    /// <summary>Text that must not appear in the answers to member, billing and bot (sample's objects in a list).</summary>
    public string? HiddenFromOutsiders { get; init; }

    /// <summary>
    /// The same request naming objects that do not exist: member, billing and bot must get the same status
    /// for sample's objects as for these, so the answer does not tell them that sample's exist.
    /// </summary>
    public Func<MatrixWorld, HttpRequestMessage>? Ghost { get; init; }

    public string Key => $"{Method} {Route}";
}

/// <summary>Every route JitGate maps, with what each caller gets. A new route fails the matrix until it is added here.</summary>
public static class AuthorizationMatrix
{
    private const string Api = "/api/v1";
    private const string AllSignedIn = "401 200 200 200 200 200 200 200 200";
    private const string AdminOnly = "401 403 403 403 403 403 200 403 403";
    private const string AdminOrDba = "401 403 403 403 403 200 200 403 403";
    private const string SampleMembers = "401 404 200 200 200 200 200 404 404";
    private const string Everyone = "200 200 200 200 200 200 200 200 200";
    private const string ConsolePage = "302 200 200 200 200 200 200 200 200";

    /// <summary>A form post to a console page without the antiforgery token: the sign-in redirect first, then refused.</summary>
    private const string ConsoleForm = "302 400 400 400 400 400 400 400 400";

    private static MatrixRow Fixed(string method, string route, string expected, Func<MatrixWorld, HttpRequestMessage> request) =>
        new(method, route, expected, (w, _) => Task.FromResult(request(w)));

    private static MatrixRow PerCell(string method, string route, string expected, Func<MatrixWorld, Who, Task<HttpRequestMessage>> request) =>
        new(method, route, expected, request);

    private static MatrixRow PerCell(string method, string route, string expected, Func<MatrixWorld, Task<HttpRequestMessage>> request) =>
        new(method, route, expected, (w, _) => request(w));

    //                                                                         anon mem dev edit own dba adm bill bot
    public static IReadOnlyList<MatrixRow> Rows { get; } =
    [
        // Identity
        PerCell("POST", $"{Api}/auth/signup",                                   "403 403 403 403 403 403 403 403 403",
            w => Task.FromResult(Post($"{Api}/auth/signup", new { email = w.Fresh("signup") + "@example.com", name = "S", password = "signup-password-1" })))
            with { Note = "Anonymous by design; closed once the first user exists, whoever asks." },
        Fixed("POST", $"{Api}/auth/login",                                      "200 200 200 200 200 200 200 200 200",
            _ => Post($"{Api}/auth/login", new { email = "member@example.com", password = Password }))
            with { Note = "Anonymous by design: the answer depends on the credentials in the body, not on the caller." },
        PerCell("POST", $"{Api}/auth/logout",                                   "401 204 204 204 204 204 204 204 204",
            async (w, who) =>
            {
                var request = Post($"{Api}/auth/logout");
                if (await w.FreshTokenAsync(who) is { } token) request.Headers.Authorization = new("Bearer", token);
                return request;
            }) with { Note = "Each cell ends a token of its own made for it." },
        Fixed("GET", $"{Api}/me",                                               AllSignedIn, _ => Get($"{Api}/me")),
        Fixed("GET", $"{Api}/me/access",                                        AllSignedIn, _ => Get($"{Api}/me/access"))
            with { Note = "One's own access only: what it answers depends on the caller (IdentityTests)." },
        Fixed("POST", $"{Api}/auth/cli/token",                                  "400 400 400 400 400 400 400 400 400",
            _ => Post($"{Api}/auth/cli/token", new { code = "no-such-code", codeVerifier = new string('v', 43) }))
            with { Note = "Anonymous by design, as for login: only a code the signed-in user approved for the CLI, with its PKCE verifier, is redeemed." },
        Fixed("GET", $"{Api}/settings/oidc",                                    AdminOrDba, _ => Get($"{Api}/settings/oidc"))
            with { Note = "As for the workspace settings: DBAs read them, admins change them; the client secret is never answered." },
        Fixed("PUT", $"{Api}/settings/oidc",                                    "401 403 403 403 403 403 400 403 403",
            _ => Send(HttpMethod.Put, $"{Api}/settings/oidc", new { authority = "not a url" }))
            with { Note = "Admins only; the admin's cell is refused on the body (a provider that does not answer cannot be saved), which is checked after who asks." },
        Fixed("DELETE", $"{Api}/settings/oidc",                                 "401 403 403 403 403 403 204 403 403",
            _ => Delete($"{Api}/settings/oidc")),
        PerCell("POST", $"{Api}/users",                                         "401 403 403 403 403 403 201 403 403",
            w => Task.FromResult(Post($"{Api}/users", new { email = w.Fresh("user") + "@example.com", name = "U", password = Password }))),
        Fixed("GET", $"{Api}/users",                                            AllSignedIn, _ => Get($"{Api}/users"))
            with { Note = "Every signed-in user may list users, to name them in grants and requests." },
        Fixed("PATCH", $"{Api}/users/{{id}}",                                   AdminOnly,
            w => Send(HttpMethod.Patch, $"{Api}/users/{w.TargetUserId}", new { name = "Target" })),
        PerCell("POST", $"{Api}/groups",                                        "401 403 403 403 403 403 201 403 403",
            w => Task.FromResult(Post($"{Api}/groups", new { email = w.Fresh("group") + "@example.com", name = "G" }))),
        Fixed("GET", $"{Api}/groups",                                           AllSignedIn, _ => Get($"{Api}/groups")),
        Fixed("PUT", $"{Api}/groups/{{id}}/members",                            AdminOnly,
            w => Send(HttpMethod.Put, $"{Api}/groups/{w.GroupId}/members", new[] { TargetEmail })),

        // Catalog
        Fixed("GET", $"{Api}/environments",                                     AllSignedIn, _ => Get($"{Api}/environments")),
        Fixed("GET", $"{Api}/projects",                                         AllSignedIn, _ => Get($"{Api}/projects"))
            with { HiddenFromOutsiders = "\"sample\"" },
        Fixed("GET", $"{Api}/projects/{{id}}",                                  SampleMembers, _ => Get($"{Api}/projects/sample"))
            with { Ghost = _ => Get($"{Api}/projects/no-such-project") },
        PerCell("POST", $"{Api}/projects",                                      "401 403 403 403 403 201 201 403 403",
            w => Task.FromResult(Post($"{Api}/projects", new { id = w.Fresh("project"), title = "P" }))),
        PerCell("POST", $"{Api}/instances",                                     "401 403 403 403 403 201 201 403 403",
            w => Task.FromResult(Post($"{Api}/instances", new { name = w.Fresh("instance"), engine = "sqlite", environment = "test", path = w.LedgerPath }))),
        Fixed("GET", $"{Api}/instances/{{id}}",                                 AdminOrDba, _ => Get($"{Api}/instances/prod-sqlite"))
            with { Ghost = _ => Get($"{Api}/instances/no-such-instance") },
        Fixed("GET", $"{Api}/instances/{{id}}/warnings",                        AdminOrDba, _ => Get($"{Api}/instances/prod-sqlite/warnings"))
            with { Ghost = _ => Get($"{Api}/instances/no-such-instance/warnings") },
        Fixed("POST", $"{Api}/instances/{{id}}/sync",                           AdminOrDba, _ => Post($"{Api}/instances/prod-sqlite/sync"))
            with { Ghost = _ => Post($"{Api}/instances/no-such-instance/sync") },
        Fixed("GET", $"{Api}/databases",                                        AllSignedIn, _ => Get($"{Api}/databases"))
            with { HiddenFromOutsiders = "hr_prod" },
        Fixed("GET", $"{Api}/databases/{{id}}",                                 SampleMembers, _ => Get($"{Api}/databases/hr_prod"))
            with { Ghost = _ => Get($"{Api}/databases/no_such_db") },
        Fixed("GET", $"{Api}/databases/{{id}}/tables",                          SampleMembers, _ => Get($"{Api}/databases/hr_prod/tables"))
            with { Ghost = _ => Get($"{Api}/databases/no_such_db/tables") },
        Fixed("PATCH", $"{Api}/databases/{{id}}",                               AdminOrDba,
            _ => Send(HttpMethod.Patch, $"{Api}/databases/hr_prod", new { environment = "prod" }))
            with { Ghost = _ => Send(HttpMethod.Patch, $"{Api}/databases/no_such_db", new { environment = "prod" }) },
        Fixed("POST", $"{Api}/databases/{{id}}/credentials",                    "401 404 400 400 400 400 400 404 404",
            _ => Post($"{Api}/databases/hr_prod/credentials"))
            with
            {
                Note = "hr_prod is SQLite, which has no native logins: whoever may see it is told so (400); PostgreSQL's credentials are checked in the Postgres tests.",
                Ghost = _ => Post($"{Api}/databases/no_such_db/credentials"),
            },

        // Role bindings
        Fixed("POST", $"{Api}/projects/{{project}}/bindings",                   "401 404 403 403 201 201 201 404 404",
            _ => Post($"{Api}/projects/sample/bindings", new { principal = "user:" + TargetEmail, role = "projectDeveloper" }))
            with { Ghost = _ => Post($"{Api}/projects/no-such-project/bindings", new { principal = "user:" + TargetEmail, role = "projectDeveloper" }) },
        Fixed("GET", $"{Api}/projects/{{project}}/bindings",                    SampleMembers, _ => Get($"{Api}/projects/sample/bindings"))
            with { Ghost = _ => Get($"{Api}/projects/no-such-project/bindings") },
        PerCell("DELETE", $"{Api}/projects/{{project}}/bindings/{{id}}",        "401 404 403 403 204 204 204 404 404",
            async w => Delete($"{Api}/projects/sample/bindings/{await w.NewProjectBindingAsync()}"))
            with { Ghost = _ => Delete($"{Api}/projects/sample/bindings/999999") },
        Fixed("PATCH", $"{Api}/projects/{{project}}/bindings/{{id}}",           "401 404 403 403 200 200 200 404 404",
            w => Send(HttpMethod.Patch, $"{Api}/projects/sample/bindings/{w.ProjectBindingId}", new { reason = "matrix" }))
            with { Ghost = _ => Send(HttpMethod.Patch, $"{Api}/projects/sample/bindings/999999", new { reason = "matrix" }) },
        Fixed("POST", $"{Api}/workspace/bindings",                              "401 403 403 403 403 403 201 403 403",
            _ => Post($"{Api}/workspace/bindings", new { principal = "user:" + TargetEmail, role = "projectDeveloper" })),
        Fixed("GET", $"{Api}/workspace/bindings",                               AdminOnly, _ => Get($"{Api}/workspace/bindings")),
        PerCell("DELETE", $"{Api}/workspace/bindings/{{id}}",                   "401 403 403 403 403 403 204 403 403",
            async w => Delete($"{Api}/workspace/bindings/{await w.NewWorkspaceBindingAsync()}")),
        Fixed("PATCH", $"{Api}/workspace/bindings/{{id}}",                      AdminOnly,
            w => Send(HttpMethod.Patch, $"{Api}/workspace/bindings/{w.WorkspaceBindingId}", new { reason = "matrix" })),

        // Access requests
        Fixed("POST", $"{Api}/projects/{{project}}/access-requests",            "401 404 201 201 201 201 201 404 404",
            _ => Post($"{Api}/projects/sample/access-requests", new { role = "projectDeveloper", duration = "PT1H", reason = "matrix" }))
            with { Ghost = _ => Post($"{Api}/projects/no-such-project/access-requests", new { role = "projectDeveloper", duration = "PT1H", reason = "matrix" }) },
        Fixed("POST", $"{Api}/projects/{{project}}/access-requests/preview",    SampleMembers,
            _ => Post($"{Api}/projects/sample/access-requests/preview", new { role = "sqlEditorUser", duration = "PT1H" }))
            with { Ghost = _ => Post($"{Api}/projects/no-such-project/access-requests/preview", new { role = "sqlEditorUser", duration = "PT1H" }) },
        Fixed("GET", $"{Api}/projects/{{project}}/access-requests",             SampleMembers, _ => Get($"{Api}/projects/sample/access-requests"))
            with { Ghost = _ => Get($"{Api}/projects/no-such-project/access-requests") },
        Fixed("GET", $"{Api}/access-requests",                                  AllSignedIn, _ => Get($"{Api}/access-requests"))
            with { HiddenFromOutsiders = "\"sample\"" },
        Fixed("GET", $"{Api}/access-requests/{{id}}",                           "401 404 200 404 200 200 200 404 404",
            w => Get($"{Api}/access-requests/{w.PendingRequestId}"))
            with
            {
                Note = "The developer's request: its requester, sample's owner (the approver) and admins and DBAs see it; the editor, a member who is neither, gets 404 as API.md says.",
                Ghost = _ => Get($"{Api}/access-requests/999999"),
            },
        PerCell("POST", $"{Api}/access-requests/{{id}}/approve",                "401 404 403 404 200 403 200 404 404",
            async w => Post($"{Api}/access-requests/{await w.NewPendingRequestAsync()}/approve"))
            with
            {
                Note = "A fresh request by the developer per cell; its one step is sample's projectOwner: the owner, and the first admin who owns sample from signup on, approve; the requester and DBAs who see it are 403 not-an-approver.",
                Ghost = _ => Post($"{Api}/access-requests/999999/approve"),
            },
        PerCell("POST", $"{Api}/access-requests/{{id}}/reject",                 "401 404 403 404 200 403 200 404 404",
            async w => Post($"{Api}/access-requests/{await w.NewPendingRequestAsync()}/reject", new { comment = "no" }))
            with { Ghost = _ => Post($"{Api}/access-requests/999999/reject", new { comment = "no" }) },
        PerCell("POST", $"{Api}/access-requests/{{id}}/cancel",                 "401 404 200 404 403 403 403 404 404",
            async w => Post($"{Api}/access-requests/{await w.NewPendingRequestAsync()}/cancel"))
            with
            {
                Note = "Only the requester (the developer) cancels; approvers reject instead.",
                Ghost = _ => Post($"{Api}/access-requests/999999/cancel"),
            },
        Fixed("POST", $"{Api}/access-requests/{{id}}/comments",                 "401 404 200 404 200 200 200 404 404",
            w => Post($"{Api}/access-requests/{w.PendingRequestId}/comments", new { comment = "matrix" }))
            with { Ghost = _ => Post($"{Api}/access-requests/999999/comments", new { comment = "matrix" }) },

        // Query
        Fixed("POST", $"{Api}/query",                                           "401 404 403 200 403 403 403 404 404",
            _ => Post($"{Api}/query", new { database = "hr_prod", statement = "select count(*) from employee" }))
            with
            {
                Note = "Only sqlEditorUser reads rows; owners, admins and DBAs are denied (403 access-denied, with a request to make) like anyone without a grant.",
                Ghost = _ => Post($"{Api}/query", new { database = "no_such_db", statement = "select 1" }),
            },

        // Audit
        Fixed("GET", $"{Api}/audit",                                            AdminOrDba, _ => Get($"{Api}/audit")),

        // Settings
        Fixed("GET", $"{Api}/settings/workspace",                               AdminOrDba, _ => Get($"{Api}/settings/workspace")),
        Fixed("PUT", $"{Api}/settings/workspace",                               AdminOnly,
            _ => Send(HttpMethod.Put, $"{Api}/settings/workspace", new { signupOpen = false })),
        Fixed("GET", $"{Api}/settings/risk-rules",                              AdminOrDba, _ => Get($"{Api}/settings/risk-rules")),
        Fixed("PUT", $"{Api}/settings/risk-rules",                              AdminOrDba,
            _ => Send(HttpMethod.Put, $"{Api}/settings/risk-rules", Array.Empty<object>())),
        Fixed("GET", $"{Api}/settings/approval-flows",                          AdminOrDba, _ => Get($"{Api}/settings/approval-flows")),
        Fixed("PUT", $"{Api}/settings/approval-flows",                          AdminOrDba,
            _ => Send(HttpMethod.Put, $"{Api}/settings/approval-flows", Array.Empty<object>())),
        Fixed("GET", $"{Api}/events",                                           AdminOrDba, _ => Get($"{Api}/events")),

        // Integrations
        Fixed("POST", $"{Api}/projects/{{project}}/webhooks",                   "401 404 403 403 201 403 201 404 404",
            w => Post($"{Api}/projects/sample/webhooks", new { type = "generic", url = w.Hooks.Url + "/hook" }))
            with
            {
                Note = "Webhooks are the project owners' and admins' (API.md), not DBAs': they choose where the project's events go.",
                Ghost = w => Post($"{Api}/projects/no-such-project/webhooks", new { type = "generic", url = w.Hooks.Url + "/hook" }),
            },
        Fixed("GET", $"{Api}/projects/{{project}}/webhooks",                    "401 404 403 403 200 403 200 404 404",
            _ => Get($"{Api}/projects/sample/webhooks"))
            with { Ghost = _ => Get($"{Api}/projects/no-such-project/webhooks") },
        PerCell("DELETE", $"{Api}/projects/{{project}}/webhooks/{{id}}",        "401 404 403 403 204 403 204 404 404",
            async w => Delete($"{Api}/projects/sample/webhooks/{await w.NewWebhookAsync()}"))
            with { Ghost = _ => Delete($"{Api}/projects/sample/webhooks/999999") },
        Fixed("GET", $"{Api}/projects/{{project}}/webhooks/{{id}}/deliveries",  "401 404 403 403 200 403 200 404 404",
            w => Get($"{Api}/projects/sample/webhooks/{w.WebhookId}/deliveries"))
            with { Ghost = _ => Get($"{Api}/projects/sample/webhooks/999999/deliveries") },
        Fixed("POST", $"{Api}/projects/{{project}}/webhooks/{{id}}/deliveries/{{deliveryId}}/resend", "401 404 403 403 202 403 202 404 404",
            w => Post($"{Api}/projects/sample/webhooks/{w.WebhookId}/deliveries/{w.DeliveryId}/resend"))
            with { Ghost = w => Post($"{Api}/projects/sample/webhooks/{w.WebhookId}/deliveries/999999/resend") },
        Fixed("POST", $"{Api}/projects/{{project}}/webhooks/{{id}}/test",       "401 404 403 403 202 403 202 404 404",
            w => Post($"{Api}/projects/sample/webhooks/{w.WebhookId}/test"))
            with { Ghost = _ => Post($"{Api}/projects/sample/webhooks/999999/test") },
        Fixed("POST", $"{Api}/me/tokens",                                       "401 201 201 201 201 201 201 201 403",
            _ => Post($"{Api}/me/tokens", new { name = "matrix" }))
            with { Note = "People only: a service account's tokens are issued by an admin, so one of its tokens cannot mint longer-lived ones." },
        Fixed("GET", $"{Api}/me/tokens",                                        AllSignedIn, _ => Get($"{Api}/me/tokens")),
        PerCell("DELETE", $"{Api}/me/tokens/{{id}}",                            "401 404 404 404 404 404 204 404 404",
            async w => Delete($"{Api}/me/tokens/{await w.NewAdminTokenAsync()}"))
            with { Note = "A fresh personal token of the admin's per cell: anyone else's attempt finds no such token of theirs." },
        PerCell("POST", $"{Api}/service-accounts",                              "401 403 403 403 403 403 201 403 403",
            w => Task.FromResult(Post($"{Api}/service-accounts", new { name = w.Fresh("account") }))),
        Fixed("GET", $"{Api}/service-accounts",                                 AdminOnly, _ => Get($"{Api}/service-accounts")),
        Fixed("POST", $"{Api}/service-accounts/{{id}}/tokens",                  "401 403 403 403 403 403 201 403 403",
            w => Post($"{Api}/service-accounts/{w.SpareAccountId}/tokens", new { name = "matrix" })),
        PerCell("DELETE", $"{Api}/service-accounts/{{id}}/tokens/{{tokenId}}",  "401 403 403 403 403 403 204 403 403",
            async w => Delete($"{Api}/service-accounts/{w.SpareAccountId}/tokens/{await w.NewSpareTokenAsync()}")),
        Fixed("PUT", $"{Api}/settings/slack",                                   AdminOnly,
            _ => Send(HttpMethod.Put, $"{Api}/settings/slack", new { signingSecret = SlackSecret })),
        Fixed("GET", $"{Api}/settings/slack",                                   AdminOnly, _ => Get($"{Api}/settings/slack")),
        Fixed("GET", $"{Api}/settings/audit-sinks",                             AdminOnly, _ => Get($"{Api}/settings/audit-sinks")),
        Fixed("POST", $"{Api}/settings/audit-sinks",                            "401 403 403 403 403 403 201 403 403",
            _ => Post($"{Api}/settings/audit-sinks", new { type = "otlp", url = "http://127.0.0.1:9/v1/logs", headers = new Dictionary<string, string> { ["Authorization"] = "Bearer matrix" } })),
        Fixed("DELETE", $"{Api}/settings/audit-sinks/{{id}}",                   "401 403 403 403 403 403 404 403 403",
            _ => Send(HttpMethod.Delete, $"{Api}/settings/audit-sinks/999999", null)),
        Fixed("POST", $"{Api}/integrations/slack/link",                         "401 400 400 400 400 400 400 400 400",
            _ => Post($"{Api}/integrations/slack/link", new { code = "0000" }))
            with { Note = "Any signed-in user may redeem a code that /jit link gave; a code nobody was given is a 400 for everyone." },
        Fixed("PUT", $"{Api}/users/{{id}}/slack",                               AdminOnly,
            w => Send(HttpMethod.Put, $"{Api}/users/{w.TargetUserId}/slack", new { slackUserId = "UTARGET" })),
        Fixed("POST", $"{Api}/integrations/slack/commands",                     "401 401 401 401 401 401 401 401 401",
            _ => Form($"{Api}/integrations/slack/commands", "command=%2Fjit&user_id=UTARGET&text=status"))
            with { Note = "Signed by Slack, not by a JitGate token: without Slack's signature everyone is refused; signed calls act as the linked user (SlackTests)." },
        Fixed("POST", $"{Api}/integrations/slack/interactions",                 "401 401 401 401 401 401 401 401 401",
            _ => Form($"{Api}/integrations/slack/interactions", "payload=%7B%7D"))
            with { Note = "Signed by Slack, as for commands." },

        // Lifecycle: project settings, environment maxima, break-glass and incidents
        Fixed("GET", $"{Api}/projects/{{project}}/settings",                    SampleMembers, _ => Get($"{Api}/projects/sample/settings"))
            with { Ghost = _ => Get($"{Api}/projects/no-such-project/settings") },
        Fixed("PATCH", $"{Api}/projects/{{project}}/settings",                  "401 404 403 403 200 403 200 404 404",
            _ => Send(HttpMethod.Patch, $"{Api}/projects/sample/settings", new { pendingRequestTtl = "P1D" }))
            with
            {
                Note = "The project's owners and workspace admins, as for webhooks: DBAs approve but do not set a project's rules.",
                Ghost = _ => Send(HttpMethod.Patch, $"{Api}/projects/no-such-project/settings", new { pendingRequestTtl = "P1D" }),
            },
        Fixed("PATCH", $"{Api}/environments/{{id}}",                            AdminOnly,
            _ => Send(HttpMethod.Patch, $"{Api}/environments/test", new { maxAccessDuration = "" })),
        Fixed("POST", $"{Api}/projects/{{project}}/break-glass",                "401 404 403 403 403 403 403 404 404",
            _ => Post($"{Api}/projects/sample/break-glass", new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "matrix" }))
            with
            {
                Note = "Sample allows break-glass in test only, so asking for hr_prod is 403 break-glass-not-allowed for every member; activation itself is in LifecycleTests.",
                Ghost = _ => Post($"{Api}/projects/no-such-project/break-glass", new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "matrix" }),
            },
        Fixed("GET", $"{Api}/projects/{{project}}/break-glass/reviews",         SampleMembers, _ => Get($"{Api}/projects/sample/break-glass/reviews"))
            with { Ghost = _ => Get($"{Api}/projects/no-such-project/break-glass/reviews") },
        PerCell("POST", $"{Api}/break-glass/reviews/{{id}}/confirm",            "401 404 403 403 200 200 200 404 404",
            async w => Post($"{Api}/break-glass/reviews/{await w.NewBreakGlassReviewAsync()}/confirm", new { comment = "warranted" }))
            with
            {
                Note = "A fresh activation by the target (a sample developer) per cell: the project's owners, admins and DBAs review it; other members are 403 not-an-approver.",
                Ghost = _ => Post($"{Api}/break-glass/reviews/999999/confirm", new { comment = "warranted" }),
            },
        PerCell("POST", $"{Api}/break-glass/reviews/{{id}}/flag",               "401 404 403 403 200 200 200 404 404",
            async w => Post($"{Api}/break-glass/reviews/{await w.NewBreakGlassReviewAsync()}/flag", new { comment = "not an emergency" }))
            with { Ghost = _ => Post($"{Api}/break-glass/reviews/999999/flag", new { comment = "not an emergency" }) },
        Fixed("GET", $"{Api}/incidents",                                        AllSignedIn, _ => Get($"{Api}/incidents"))
            with { Note = "Anyone who may request access may name an incident in the request." },
        Fixed("PUT", $"{Api}/settings/incidents",                               "401 403 403 403 403 403 204 403 403",
            _ => Send(HttpMethod.Put, $"{Api}/settings/incidents", new { secret = IncidentSecret })),
        Fixed("POST", $"{Api}/integrations/incidents",                          "401 401 401 401 401 401 401 401 401",
            _ => Post($"{Api}/integrations/incidents", new { id = "INC-1", status = "triggered" }))
            with { Note = "Signed by the incident tool, not by a JitGate token: unsigned, everyone is refused; signed deliveries are in LifecycleTests." },

        // Health, metrics and the API reference: served to anyone, they hold no JitGate data.
        Fixed("*", "/health/live",                                              Everyone, _ => Get("/health/live")),
        Fixed("*", "/health/ready",                                             Everyone, _ => Get("/health/ready")),
        Fixed("*", "/metrics",                                                  Everyone, _ => Get("/metrics"))
            with { Note = "Prometheus scrapes without credentials: counts only (queries, bindings, requests by status), no names." },
        Fixed("GET", "/openapi/{documentName}.json",                            Everyone, _ => Get("/openapi/v1.json")),
        Fixed("GET", "/scalar/{documentName?}",                                 Everyone, _ => Get("/scalar/v1")),
        Fixed("GET", "/scalar/scalar.js",                                       Everyone, _ => Get("/scalar/scalar.js")),
        Fixed("GET", "/scalar/scalar.aspnetcore.js",                            Everyone, _ => Get("/scalar/scalar.aspnetcore.js")),
        Fixed("GET", "/scalar/favicon.svg",                                     Everyone, _ => Get("/scalar/favicon.svg")),

        // The console's form posts and pages. Pages are not prerendered: what they show comes over the
        // circuit from the same use cases as the API, so a page itself is an empty shell.
        Fixed("POST", "/account/login",                                         "400 400 400 400 400 400 400 400 400",
            _ => Form("/account/login", "email=member%40example.com&password=" + Password))
            with { Note = "An HTML form: refused without the antiforgery token the sign-in page gives." },
        Fixed("POST", "/account/signup",                                        "400 400 400 400 400 400 400 400 400",
            _ => Form("/account/signup", "email=x%40example.com&name=X&password=signup-password-1"))
            with { Note = "As for /account/login." },
        Fixed("POST", "/account/logout",                                        "400 400 400 400 400 400 400 400 400",
            _ => Form("/account/logout", ""))
            with { Note = "As for /account/login: without the form's antiforgery token another site could sign people out." },
        Fixed("GET", "/_framework/opaque-redirect",                             "400 400 400 400 400 400 400 400 400",
            _ => Get("/_framework/opaque-redirect"))
            with { Note = "Blazor's own redirect helper: it needs a protected URL it issued itself." },
        Fixed("GET", "/",                                                       ConsolePage, _ => Get("/")),
        Fixed("GET", "/projects",                                               ConsolePage, _ => Get("/projects")),
        Fixed("GET", "/projects/{ProjectId}/databases",                         ConsolePage, _ => Get("/projects/sample/databases")),
        Fixed("GET", "/projects/{ProjectId}/members",                           ConsolePage, _ => Get("/projects/sample/members")),
        Fixed("GET", "/projects/{ProjectId}/requests",                          ConsolePage, _ => Get("/projects/sample/requests")),
        Fixed("GET", "/requests",                                               ConsolePage, _ => Get("/requests")),
        Fixed("GET", "/requests/{Id}",                                          ConsolePage, w => Get($"/requests/{w.PendingRequestId}")),
        Fixed("GET", "/sql-editor",                                             ConsolePage, _ => Get("/sql-editor")),
        Fixed("GET", "/admin/audit",                                            ConsolePage, _ => Get("/admin/audit")),
        Fixed("GET", "/admin/users",                                            ConsolePage, _ => Get("/admin/users")),
        Fixed("GET", "/settings/risk-rules",                                    ConsolePage, _ => Get("/settings/risk-rules")),
        Fixed("GET", "/settings/approval-flows",                                ConsolePage, _ => Get("/settings/approval-flows")),
        Fixed("GET", "/settings/audit-streaming",                               ConsolePage, _ => Get("/settings/audit-streaming")),
        Fixed("GET", "/login",                                                  Everyone, _ => Get("/login")),
        Fixed("GET", "/not-found",                                              ConsolePage, _ => Get("/not-found"))
            with { Note = "The console's page for an address it has no page for; it names the address and nothing else." },
        Fixed("GET", "/signup",                                                 Everyone, _ => Get("/signup")),
        Fixed("POST", "/",                                                      ConsoleForm, _ => Form("/", "")),
        Fixed("POST", "/projects",                                              ConsoleForm, _ => Form("/projects", "")),
        Fixed("POST", "/projects/{ProjectId}/databases",                        ConsoleForm, _ => Form("/projects/sample/databases", "")),
        Fixed("POST", "/projects/{ProjectId}/members",                          ConsoleForm, _ => Form("/projects/sample/members", "")),
        Fixed("POST", "/projects/{ProjectId}/requests",                         ConsoleForm, _ => Form("/projects/sample/requests", "")),
        Fixed("POST", "/requests",                                              ConsoleForm, _ => Form("/requests", "")),
        Fixed("POST", "/requests/{Id}",                                         ConsoleForm, w => Form($"/requests/{w.PendingRequestId}", "")),
        Fixed("POST", "/sql-editor",                                            ConsoleForm, _ => Form("/sql-editor", "")),
        Fixed("POST", "/admin/audit",                                           ConsoleForm, _ => Form("/admin/audit", "")),
        Fixed("POST", "/admin/users",                                           ConsoleForm, _ => Form("/admin/users", "")),
        Fixed("POST", "/settings/risk-rules",                                   ConsoleForm, _ => Form("/settings/risk-rules", "")),
        Fixed("POST", "/settings/approval-flows",                               ConsoleForm, _ => Form("/settings/approval-flows", "")),
        Fixed("POST", "/settings/audit-streaming",                              ConsoleForm, _ => Form("/settings/audit-streaming", "")),
        Fixed("POST", "/login",                                                 "400 400 400 400 400 400 400 400 400", _ => Form("/login", "")),
        Fixed("POST", "/signup",                                                "400 400 400 400 400 400 400 400 400", _ => Form("/signup", "")),
        Fixed("POST", "/not-found",                                             ConsoleForm, _ => Form("/not-found", "")),
        Fixed("GET", "/settings/sign-in",                                       ConsolePage, _ => Get("/settings/sign-in"))
            with { Note = "The page itself tells non-admins that sign-in settings are the admins'; its calls go through the API's checks." },
        Fixed("POST", "/settings/sign-in",                                      ConsoleForm, _ => Form("/settings/sign-in", "")),
        Fixed("GET", "/cli/login",                                              ConsolePage, _ => Get("/cli/login?port=53682&state=matrix&codeChallenge=" + new string('c', 43)))
            with { Note = "Where jitgate login sends the browser: a signed-in user approves the CLI there." },
        Fixed("POST", "/cli/login",                                             ConsoleForm, _ => Form("/cli/login", "")),
        Fixed("GET", "/projects/{ProjectId}/settings",                          ConsolePage, _ => Get("/projects/sample/settings"))
            with { Note = "Members read the project's lifecycle settings; only owners and admins get a Save, and the use case checks again." },
        Fixed("POST", "/projects/{ProjectId}/settings",                         ConsoleForm, _ => Form("/projects/sample/settings", "")),
        Fixed("GET", "/break-glass/reviews",                                    ConsolePage, _ => Get("/break-glass/reviews"))
            with { Note = "Lists only the reviews of projects the caller reviews (owners, admins, DBAs); deciding goes through the use case's checks." },
        Fixed("POST", "/break-glass/reviews",                                   ConsoleForm, _ => Form("/break-glass/reviews", "")),
        Fixed("GET", "/settings/environments",                                  ConsolePage, _ => Get("/settings/environments"))
            with { Note = "Anyone may read the environments' maxima; only admins get Save, and the use case checks again." },
        Fixed("POST", "/settings/environments",                                 ConsoleForm, _ => Form("/settings/environments", "")),
        Fixed("GET", "/account/login/oidc",                                     "302 302 302 302 302 302 302 302 302", _ => Get("/account/login/oidc"))
            with { Note = "Goes to the provider, or back to the sign-in page saying single sign-on is not set up (as here)." },
        Fixed("POST", "/account/cli/approve",                                   "302 400 400 400 400 400 400 400 400",
            _ => Form("/account/cli/approve", "port=53682&state=matrix&codeChallenge=" + new string('c', 43)))
            with { Note = "A form post for signed-in users (anonymous: to sign-in first), refused without the antiforgery token the CLI sign-in page gives, so another site cannot approve a CLI in one's name." },

        // Blazor's circuit: the connection of an interactive page. Each page checks [Authorize] when the
        // circuit renders it, and each call goes through the use cases.
        Fixed("*", "/_blazor/negotiate",                                        "200 200 200 200 200 200 200 200 200", _ => Post("/_blazor/negotiate?negotiateVersion=1")),
        Fixed("*", "/_blazor",                                                  "400 400 400 400 400 400 400 400 400", _ => Get("/_blazor")),
        Fixed("*", "/_blazor/disconnect",                                       "400 400 400 400 400 400 400 400 400", _ => Form("/_blazor/disconnect/", "")),
        Fixed("*", "/_blazor/initializers",                                     "200 200 200 200 200 200 200 200 200", _ => Get("/_blazor/initializers/")),
        Fixed("GET", "{**path}",                                                "404 404 404 404 404 404 404 404 404", _ => Get("/no-such-file.css"))
            with { Note = "The static files' fallback: a file that does not exist is 404 for everyone." },
        Fixed("HEAD", "{**path}",                                               "404 404 404 404 404 404 404 404 404", _ => new HttpRequestMessage(HttpMethod.Head, "/no-such-file.css")),
    ];
}
