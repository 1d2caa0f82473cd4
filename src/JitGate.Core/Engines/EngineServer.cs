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
    /// <summary>The default of <see cref="LoginConnectionLimit"/> for logins handed out as native credentials.</summary>
    public const int DefaultLoginConnectionLimit = 20;

    /// <summary>
    /// How many sessions the login being made may hold at once on this server (PostgreSQL's <c>CONNECTION LIMIT</c>,
    /// MySQL's and MariaDB's <c>MAX_USER_CONNECTIONS</c>); 0 or less for no limit of its own. Native credentials get
    /// one, so that their holder cannot fill the server's connection slots with logged-in sessions; the SQL
    /// editor's logins, whose passwords never leave JitGate, get none.
    /// </summary>
    public int LoginConnectionLimit { get; init; } = DefaultLoginConnectionLimit;

    /// <summary>Describes the server without the password, so the record is safe to log.</summary>
    public override string ToString() =>
        $"EngineServer {{ Host = {Host}, Port = {Port}, AdminUsername = {AdminUsername} }}";
}
