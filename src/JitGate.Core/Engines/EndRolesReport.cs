namespace JitGate.Core.Engines;

/// <summary>
/// What <see cref="IEngineRoles.EndManyAsync"/> did, role by role. Also carried by the
/// <see cref="EngineException"/> it throws, so a caller knows which roles did end when others did not.
/// </summary>
/// <param name="Roles">Every role that exists, with what changed for it (nothing on a second call).</param>
/// <param name="Missing">Roles that do not exist on the server; skipped.</param>
/// <param name="Failed">Roles whose access did not fully end, with what is left (empty on success).</param>
public sealed record EndRolesReport(
    IReadOnlyDictionary<string, RoleReport> Roles,
    IReadOnlyList<string> Missing,
    IReadOnlyDictionary<string, string> Failed)
{
    /// <summary>The roles that exist and can no longer log in, read or keep a session, in name order.</summary>
    public IReadOnlyList<string> RolesEnded => Roles.Keys.Where(r => !Failed.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Sessions ended, over all roles.</summary>
    public int SessionsEnded => Roles.Values.Sum(r => r.SessionsTerminated);

    /// <summary>True when anything on the engine changed.</summary>
    public bool Changed => Roles.Values.Any(r => r.Changed);
}
