namespace JitGate.Core.Domain;

public static class WorkspaceRoles
{
    public const string Admin = "workspaceAdmin";
    public const string Dba = "workspaceDba";
    public const string Member = "workspaceMember";
    public static readonly IReadOnlyList<string> All = [Admin, Dba, Member];
}

public static class ProjectRoles
{
    public const string Owner = "projectOwner";
    public const string Developer = "projectDeveloper";
    public const string SqlEditorUser = "sqlEditorUser";
    public static readonly IReadOnlyList<string> All = [Owner, Developer, SqlEditorUser];

    /// <summary>
    /// Roles that may read rows (within their scope): only SQL Editor User. Owning a project means managing
    /// and approving access to it, not reading its data: an owner who needs rows asks for them like anyone
    /// else, so that every read of data is time-limited and audited as a grant.
    /// </summary>
    public static bool ReadsData(string role) => role is SqlEditorUser;
}

public static class BindingSources
{
    public const string Manual = "manual";
    public const string Request = "request";
    /// <summary>Emergency access activated without approval, reviewed afterwards.</summary>
    public const string BreakGlass = "breakGlass";
}
