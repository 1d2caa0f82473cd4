namespace JitGate.Core.Engines;

/// <summary>
/// A database server that JitGate manages (PostgreSQL, MySQL, MariaDB), and the admin login it was given:
/// a login that may create logins and grant what it hands out, never a superuser. Each engine's README
/// (src/JitGate.Engines/&lt;Engine&gt;/README.md) lists the exact statements a DBA runs.
/// </summary>
/// <param name="Host">Host name or address of the server.</param>
/// <param name="Port">TCP port of the server.</param>
/// <param name="AdminUsername">The instance admin login.</param>
/// <param name="AdminPassword">Its password. Never part of <see cref="ToString"/>.</param>
public sealed record EngineServer(string Host, int Port, string AdminUsername, string AdminPassword)
{
    /// <summary>Describes the server without the password, so the record is safe to log.</summary>
    public override string ToString() =>
        $"EngineServer {{ Host = {Host}, Port = {Port}, AdminUsername = {AdminUsername} }}";
}
