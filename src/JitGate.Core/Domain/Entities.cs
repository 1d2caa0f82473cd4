namespace JitGate.Core.Domain;

/// <summary>A person who signs in to JitGate.</summary>
public sealed class User
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public required string WorkspaceRole { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>A service account signs in only with its tokens, never with a password.</summary>
    public bool IsServiceAccount { get; set; }
    /// <summary>The Slack user this user acts as in Slack, once linked.</summary>
    public string? SlackUserId { get; set; }

    /// <summary>When an admin disabled the user: no sign-in of any kind, no token, no access until enabled again.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>The OpenID Connect issuer (<c>iss</c>) of the identity this user signs in with, once they have.</summary>
    public string? ExternalIssuer { get; set; }

    /// <summary>
    /// The subject (<c>sub</c>) the issuer gave this user: stable and never reassigned (OpenID Connect Core
    /// 1.0, section 2), unlike an e-mail address, so a later sign-in must present the same one.
    /// </summary>
    public string? ExternalSubject { get; set; }
}

/// <summary>A named set of users; bindings to a group apply to every member.</summary>
public sealed class Group
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<GroupMember> Members { get; set; } = [];

    /// <summary>
    /// For a group the identity provider names (a value of its groups claim): its members come from sign-ins,
    /// each replacing the user's memberships of such groups. Null for a group made in JitGate.
    /// </summary>
    public string? ExternalId { get; set; }
}

public sealed class GroupMember
{
    public long GroupId { get; set; }
    public long UserId { get; set; }
}

/// <summary>A bearer token; only its SHA-256 is stored.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string TokenHash { get; set; }
    /// <summary>session (from sign-in), personal (a personal access token) or service (a service account's).</summary>
    public string Kind { get; set; } = "session";
    public string? Name { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The token that was used to make this one (a personal token made while signed in with another); it ends with it.</summary>
    public long? ParentTokenId { get; set; }
}

public sealed class EnvironmentEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public bool Protected { get; set; }

    /// <summary>The longest access to this environment's databases (ISO 8601); null: the workspace maximum alone applies.</summary>
    public string? MaxAccessDuration { get; set; }
}

public sealed class Project
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    public bool AllowSelfApproval { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>How long a request may wait for a decision before it expires (ISO 8601); null: one day.</summary>
    public string? PendingRequestTtl { get; set; }

    /// <summary>A pattern every reason must match (a ticket or incident id such as <c>INC-\d+</c>); null: any reason.</summary>
    public string? ReasonPattern { get; set; }

    /// <summary>The project's break-glass settings as JSON (<c>BreakGlassSettings</c>); null: break-glass is off.</summary>
    public string? BreakGlassJson { get; set; }

    /// <summary>How long access tied to an incident lasts after the incident resolves (ISO 8601); null: it ends at once.</summary>
    public string? IncidentGrace { get; set; }
}

public sealed class Instance
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Engine { get; set; }
    public required string EnvironmentId { get; set; }
    public string? Path { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    public string? Username { get; set; }
    public string? ProtectedPassword { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class DatabaseEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string InstanceId { get; set; }
    public string? ProjectId { get; set; }
    public required string EnvironmentId { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
    public List<DatabaseTable> Tables { get; set; } = [];

    /// <summary>
    /// What every login reaches in this database regardless of JitGate's grants (PostgreSQL's PUBLIC), as a
    /// JSON array of <c>{kind, object, detail, fix}</c>, renewed at each sync; null when never read.
    /// </summary>
    public string? WarningsJson { get; set; }
}

public sealed class DatabaseTable
{
    public long Id { get; set; }
    public required string DatabaseId { get; set; }
    public required string Schema { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    /// <summary>Columns as JSON: [{name, type}].</summary>
    public required string ColumnsJson { get; set; }
}

/// <summary>One principal holding one project role, optionally narrowed and time-limited.</summary>
public sealed class Binding
{
    public long Id { get; set; }
    /// <summary>Null for a workspace binding, which applies to every project.</summary>
    public string? ProjectId { get; set; }
    /// <summary>"user" or "group".</summary>
    public required string PrincipalType { get; set; }
    public long PrincipalId { get; set; }
    public required string Role { get; set; }
    /// <summary>The scope as JSON ({databases, tables}); null means every database.</summary>
    public string? ScopeJson { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public long? RevokedBy { get; set; }
    /// <summary>When the expiry job recorded that this binding ran out (once).</summary>
    public DateTimeOffset? ExpiryRecordedAt { get; set; }
    /// <summary>When the expiring-soon event was written for the current expiry.</summary>
    public DateTimeOffset? ExpiringSoonNotifiedAt { get; set; }
    /// <summary>The access request this binding was created by, if any.</summary>
    public long? RequestId { get; set; }
    public required string Source { get; set; }
    public string? Reason { get; set; }
    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the access starts (a scheduled window); null: at once. Nothing is readable before it.</summary>
    public DateTimeOffset? StartsAt { get; set; }

    /// <summary>When the start was recorded (audit record and accessStarting event).</summary>
    public DateTimeOffset? StartRecordedAt { get; set; }

    /// <summary>Emergency access activated without approval; reviewed afterwards.</summary>
    public bool BreakGlass { get; set; }

    /// <summary>The incident this access is tied to (<see cref="Incident.Id"/>, or a free-text reference); it ends when a known incident resolves.</summary>
    public string? IncidentId { get; set; }
}

/// <summary>An append-only record of something that happened.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public long? ActorId { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Resource { get; set; }
    public string? DatabaseId { get; set; }
    public required string Outcome { get; set; }
    public string? RemoteAddress { get; set; }
    public required string DetailJson { get; set; }
}

/// <summary>A workspace-wide setting stored as text.</summary>
public sealed class WorkspaceSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}

/// <summary>A risk rule: when its condition holds for a database in a request's scope, the request is at least this level.</summary>
public sealed class RiskRule
{
    public long Id { get; set; }
    public required string Source { get; set; }
    public required string Level { get; set; }
    public required string Title { get; set; }
    public required string Condition { get; set; }
    public int Position { get; set; }
}

/// <summary>The ordered approval steps for requests of one source and risk level.</summary>
public sealed class ApprovalFlow
{
    public required string Source { get; set; }
    public required string Level { get; set; }
    /// <summary>Step approvers as JSON: ["projectOwner", "workspaceDba", "group:dba@example.com"].</summary>
    public required string StepsJson { get; set; }

    /// <summary>
    /// A CEL condition over the request (the risk rules' variables, <c>request.incident.status</c> among them):
    /// when it holds for every database of the request, the level's steps are skipped and the request is
    /// approved at once. Null: the steps always apply.
    /// </summary>
    public string? AutoApproveWhen { get; set; }
}

/// <summary>A request for a project role, routed through the approval flow fixed when it was made.</summary>
public sealed class AccessRequest
{
    public long Id { get; set; }
    public required string ProjectId { get; set; }
    public long RequesterId { get; set; }
    public required string Role { get; set; }
    public string? ScopeJson { get; set; }
    /// <summary>ISO 8601 duration counted from final approval, when no absolute expiry was asked for.</summary>
    public string? Duration { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public required string Reason { get; set; }
    public required string RiskLevel { get; set; }
    public required string Status { get; set; }
    public long? BindingId { get; set; }
    /// <summary>For an extension: the active binding whose expiry moves on approval.</summary>
    public long? ExtendsBindingId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Bumped on every change so racing approvers cannot both win.</summary>
    public long Version { get; set; }
    public List<ApprovalStep> Steps { get; set; } = [];

    /// <summary>When the access should start (a scheduled window); null: at approval.</summary>
    public DateTimeOffset? StartsAt { get; set; }

    /// <summary>When the request expires if nobody decides it (from the project's pending-request lifetime).</summary>
    public DateTimeOffset? DecideBy { get; set; }

    /// <summary>The incident the request names (<see cref="Incident.Id"/> or a free-text reference).</summary>
    public string? IncidentId { get; set; }

    // The request's life: pendingApproval, then exactly one of approved, rejected, canceled or expired.
    // Every handler moves it through these, so no path can revive or double-decide a request.

    /// <summary>The last step was approved and its access granted.</summary>
    public void Approve(DateTimeOffset now) => Leave(Features.Requests.RequestStatus.Approved, now);

    /// <summary>An approver rejected the current step; the steps after it will never be asked.</summary>
    public void Reject(DateTimeOffset now) => Leave(Features.Requests.RequestStatus.Rejected, now);

    /// <summary>The requester withdrew it.</summary>
    public void Cancel(DateTimeOffset now) => Leave(Features.Requests.RequestStatus.Canceled, now);

    /// <summary>Nobody decided it by <see cref="DecideBy"/>.</summary>
    public void Expire(DateTimeOffset now) => Leave(Features.Requests.RequestStatus.Expired, now);

    private void Leave(string status, DateTimeOffset now)
    {
        if (Status != Features.Requests.RequestStatus.Pending)
        {
            throw new Common.ApiProblem(409, "conflict", "Conflict", $"This request is {Status}; only a pending request can become {status}.");
        }
        Status = status;
        foreach (var step in Steps.Where(s => s.Status == Features.Requests.StepStatus.Pending)) step.Status = Features.Requests.StepStatus.Skipped;
        Version++;
        UpdatedAt = now;
    }
}

public sealed class ApprovalStep
{
    public long Id { get; set; }
    public long RequestId { get; set; }
    public int Index { get; set; }
    /// <summary>projectOwner, workspaceDba, workspaceAdmin, or group:&lt;email&gt;.</summary>
    public required string Approver { get; set; }
    public required string Status { get; set; }
    public long? ById { get; set; }
    public DateTimeOffset? At { get; set; }
    public string? Comment { get; set; }
}

/// <summary>An entry of a request's timeline: what happened, who did it, and their comment.</summary>
public sealed class RequestEvent
{
    public long Id { get; set; }
    public long RequestId { get; set; }
    public DateTimeOffset At { get; set; }
    public long? ActorId { get; set; }
    public required string Kind { get; set; }
    public string? Comment { get; set; }
}

/// <summary>An event for webhooks and Slack, written in the same transaction as its cause.</summary>
public sealed class OutboxEvent
{
    public long Seq { get; set; }
    /// <summary>Stable id: the receivers' idempotency key.</summary>
    public required string Id { get; set; }
    public required string Event { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public string? ProjectId { get; set; }
    public long? RequestId { get; set; }
    public long? BindingId { get; set; }
    public required string PayloadJson { get; set; }
}

/// <summary>A project's outbound webhook: Slack, Teams or a generic signed JSON receiver.</summary>
public sealed class Webhook
{
    public long Id { get; set; }
    public required string ProjectId { get; set; }
    public required string Type { get; set; }
    /// <summary>The receiver's URL, encrypted: Slack and Teams URLs are themselves credentials.</summary>
    public required string ProtectedUrl { get; set; }
    /// <summary>Scheme and host only, safe to show.</summary>
    public required string UrlHint { get; set; }
    /// <summary>Subscribed event names as JSON.</summary>
    public required string EventsJson { get; set; }
    /// <summary>The signing secret, encrypted with Data Protection.</summary>
    public string? ProtectedSecret { get; set; }
    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One event bound for one webhook, delivered at most once successfully, retried with backoff.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long WebhookId { get; set; }
    public required string EventId { get; set; }
    public long? OutboxSeq { get; set; }
    public required string Event { get; set; }
    public required string PayloadJson { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public List<WebhookAttempt> Log { get; set; } = [];
}

public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DateTimeOffset At { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public long ElapsedMs { get; set; }
}

/// <summary>A one-time code a Slack user redeems while signed in to JitGate, linking the two.</summary>
public sealed class SlackLinkCode
{
    public required string CodeHash { get; set; }
    public required string SlackUserId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// A login role JitGate owns on a PostgreSQL database for one user: "query" roles are used by
/// JitGate's SQL editor and their password never leaves JitGate; "native" roles back temporary
/// credentials handed to the user.
/// </summary>
public sealed class EngineRole
{
    public long Id { get; set; }
    public required string DatabaseId { get; set; }
    public long UserId { get; set; }
    public required string Kind { get; set; }
    public required string RoleName { get; set; }
    public required string ProtectedPassword { get; set; }
    /// <summary>For native credentials: when they stop working, whatever the grant says.</summary>
    public DateTimeOffset? CredentialExpiresAt { get; set; }
    /// <summary>What the engine was last made to match: the grant and the login expiry.</summary>
    public string? AppliedFingerprint { get; set; }
    public DateTimeOffset? ReconciledAt { get; set; }
}

/// <summary>
/// The post-review of a break-glass activation: an approver of the project confirms it was warranted or
/// flags it. Open past <see cref="DueAt"/> it escalates, and its holder cannot break glass again.
/// </summary>
public sealed class BreakGlassReview
{
    public long Id { get; set; }
    public long BindingId { get; set; }
    public required string ProjectId { get; set; }
    public long HolderId { get; set; }
    /// <summary>open, confirmed or flagged.</summary>
    public required string Status { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset? EscalatedAt { get; set; }
    public long? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? Comment { get; set; }
}

/// <summary>An incident an incident tool told JitGate about (generic JSON or a PagerDuty v3 webhook).</summary>
public sealed class Incident
{
    /// <summary>The tool's own id of the incident.</summary>
    public required string Id { get; set; }
    /// <summary>triggered, acknowledged or resolved.</summary>
    public required string Status { get; set; }
    public string? Title { get; set; }
    public string? Url { get; set; }
    /// <summary>generic or pagerduty.</summary>
    public required string Source { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
}
