namespace JitGate.Core.Engines;

/// <summary>
/// What one reconcile (or end of access) changed on the engine. Items read like
/// <c>SELECT on table public.salary</c>. Setting the password again is not a change: the server does
/// not let a non-superuser read the stored one, so it is set on every run.
/// </summary>
/// <param name="RoleCreated">The login role did not exist and was created.</param>
/// <param name="RoleChanges">Role attributes changed: login enabled or disabled, VALID UNTIL, memberships removed.</param>
/// <param name="Granted">Privileges granted.</param>
/// <param name="Revoked">Privileges revoked.</param>
/// <param name="Missing">Granted tables that the database does not have (dropped or renamed); nothing was granted for them.</param>
/// <param name="NotGrantable">For <see cref="ReadGrant.Everything"/>: tables left out because the admin may not hand them out.</param>
/// <param name="SessionsTerminated">Sessions of the role that were ended because privileges were removed.</param>
public sealed record RoleReport(
    bool RoleCreated,
    IReadOnlyList<string> RoleChanges,
    IReadOnlyList<string> Granted,
    IReadOnlyList<string> Revoked,
    IReadOnlyList<TableRef> Missing,
    IReadOnlyList<TableRef> NotGrantable,
    int SessionsTerminated)
{
    /// <summary>True when anything on the engine changed.</summary>
    public bool Changed => RoleCreated || RoleChanges.Count > 0 || Granted.Count > 0 || Revoked.Count > 0 || SessionsTerminated > 0;
}
