namespace JitGate.Core.Features.Audit;

/// <summary>
/// The audit trail's actions, one catalogue: what a SIEM or <c>GET /audit?action=</c> filters on. Names are
/// <c>area.verb</c>; they never change once released.
/// </summary>
public static class AuditActions
{
    public const string BindingCreate = "binding.create";
    public const string BindingUpdate = "binding.update";
    public const string BindingRevoke = "binding.revoke";
    public const string BindingExpire = "binding.expire";
    public const string BindingExtend = "binding.extend";
    /// <summary>A scheduled window started.</summary>
    public const string BindingStart = "binding.start";
    /// <summary>Access tied to an incident was shortened to end with it.</summary>
    public const string BindingIncidentEnd = "binding.incidentEnd";
    public const string RequestCreate = "request.create";
    public const string RequestApprove = "request.approve";
    public const string RequestReject = "request.reject";
    public const string RequestCancel = "request.cancel";
    public const string RequestComment = "request.comment";
    /// <summary>A pending request nobody decided in time.</summary>
    public const string RequestExpire = "request.expire";
    public const string BreakGlassActivate = "breakGlass.activate";
    public const string BreakGlassConfirm = "breakGlass.confirm";
    public const string BreakGlassFlag = "breakGlass.flag";
    public const string BreakGlassOverdue = "breakGlass.overdue";
    public const string IncidentUpdate = "incident.update";
    public const string QueryExecute = "query.execute";
    public const string CredentialsIssue = "credentials.issue";
    public const string EngineReconcile = "engine.reconcile";
    /// <summary>The engine ended a session that kept JitGate waiting while access changed (a holder holding back its own end).</summary>
    public const string EngineBlockerEnd = "engine.blockerEnd";
    public const string ProjectSettingsUpdate = "project.settings.update";
    public const string EnvironmentUpdate = "environment.update";
    public const string IncidentSettingsUpdate = "settings.incidents.update";
}
