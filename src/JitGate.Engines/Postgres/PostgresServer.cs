namespace JitGate.Engines.Postgres;

/// <summary>
/// A PostgreSQL instance that JitGate manages, and the instance admin login it was given. The admin is
/// a non-superuser with CREATEROLE, membership in <c>pg_signal_backend</c>, and grant options on what
/// it may hand out; <c>README.md</c> beside this file lists the exact statements a DBA runs.
/// </summary>
/// <param name="Host">Host name or address of the server.</param>
/// <param name="Port">TCP port of the server.</param>
/// <param name="AdminUsername">The instance admin login.</param>
/// <param name="AdminPassword">Its password. Never part of <see cref="ToString"/>.</param>
public sealed record PostgresServer(string Host, int Port, string AdminUsername, string AdminPassword)
{
    /// <summary>Describes the server without the password, so the record is safe to log.</summary>
    public override string ToString() =>
        $"PostgresServer {{ Host = {Host}, Port = {Port}, AdminUsername = {AdminUsername} }}";
}
