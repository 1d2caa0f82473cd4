using System.Collections.Concurrent;
using System.Security.Cryptography;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Engines;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// What JitGate needs to reach a server-based instance as its admin, and the per-user logins it owns
/// there (<see cref="EngineRole"/> rows). Login names are derived from ids, so they never carry user input.
/// </summary>
public sealed class EngineTargets(SecretBox secrets, Microsoft.Extensions.Options.IOptions<JitGateOptions> options)
{
    private readonly int _nativeConnectionLimit = Math.Clamp(options.Value.NativeLoginConnectionLimit, 1, 10_000);

    /// <summary>The login the SQL editor's queries run as.</summary>
    public const string QueryRole = "query";

    /// <summary>The login handed out as native credentials.</summary>
    public const string NativeRole = "native";

    private readonly ConcurrentDictionary<string, EngineServer> _servers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(long UserId, string DatabaseId), QueryLogin> _queryLogins = new();

    /// <summary>
    /// A query login and the privileges last applied to it, as of one policy snapshot (its generation: an
    /// entry must not keep an old snapshot alive).
    /// </summary>
    public sealed record QueryLogin(string RoleName, string Password, string AppliedFingerprint, long SnapshotGeneration)
    {
        /// <summary>Never shows the password.</summary>
        public override string ToString() => $"QueryLogin {{ RoleName = {RoleName}, SnapshotGeneration = {SnapshotGeneration} }}";
    }

    public bool TryGetQueryLogin(long userId, string databaseId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out QueryLogin login) =>
        _queryLogins.TryGetValue((userId, databaseId), out login);

    public void RememberQueryLogin(long userId, string databaseId, QueryLogin login) => _queryLogins[(userId, databaseId)] = login;

    /// <summary>The server and admin login of a server-based instance.</summary>
    /// <exception cref="InvalidOperationException">The instance has no host (a file-based instance).</exception>
    public async Task<EngineServer> ServerAsync(JitGateDb db, string instanceId, CancellationToken ct)
    {
        if (_servers.TryGetValue(instanceId, out var cached)) return cached;
        var instance = await db.Instances.AsNoTracking().FirstAsync(i => i.Id == instanceId, ct);
        if (instance.Host is null || instance.ProtectedPassword is null) throw new InvalidOperationException($"Instance {instanceId} is not a server.");
        var server = new EngineServer(instance.Host, instance.Port ?? 0, instance.Username!, secrets.Unprotect(instance.ProtectedPassword));
        _servers[instanceId] = server;
        return server;
    }

    /// <summary>
    /// The server as a login of <paramref name="kind"/> is made on it: native credentials with their session limit
    /// (<see cref="JitGateOptions.NativeLoginConnectionLimit"/>), the SQL editor's logins without one.
    /// </summary>
    public EngineServer ForLogin(EngineServer server, string kind)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server with { LoginConnectionLimit = kind == NativeRole ? _nativeConnectionLimit : 0 };
    }

    /// <summary>Where an instance's databases live: its server, or its file.</summary>
    public async Task<EngineEndpoint> EndpointAsync(JitGateDb db, string instanceId, string? path, CancellationToken ct) =>
        path is not null ? new EngineEndpoint(null, path) : new EngineEndpoint(await ServerAsync(db, instanceId, ct), null);

    /// <summary>
    /// The login name for (user, database, kind): <c>jit_u{user}_{hash of the database id}</c>, with
    /// <c>_n</c> for native credentials. A short hash keeps it unique per database id within every
    /// engine's limit (PostgreSQL 63 bytes, MySQL 32 characters).
    /// </summary>
    public static string RoleNameFor(long userId, string databaseId, string kind)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(databaseId)))[..8];
        return $"jit_u{userId}_{hash}{(kind == NativeRole ? "_n" : "")}";
    }

    /// <summary>The role row for (user, database, kind), created with a fresh random password when missing.</summary>
    public async Task<EngineRole> RoleAsync(JitGateDb db, long userId, string databaseId, string kind, CancellationToken ct)
    {
        var role = await db.EngineRoles.FirstOrDefaultAsync(r => r.UserId == userId && r.DatabaseId == databaseId && r.Kind == kind, ct);
        if (role is not null) return role;
        role = new EngineRole
        {
            DatabaseId = databaseId, UserId = userId, Kind = kind,
            RoleName = RoleNameFor(userId, databaseId, kind),
            ProtectedPassword = secrets.Protect(NewPassword()),
        };
        db.EngineRoles.Add(role);
        try
        {
            await db.SaveChangesAsync(ct);
            return role;
        }
        catch (DbUpdateException)
        {
            // Another caller created the same row first (unique on database, user, kind): use theirs.
            db.Entry(role).State = EntityState.Detached;
            return await db.EngineRoles.FirstOrDefaultAsync(r => r.UserId == userId && r.DatabaseId == databaseId && r.Kind == kind, ct)
                ?? throw new InvalidOperationException($"The engine role for user {userId} on {databaseId} could neither be created nor read.");
        }
    }

    public string Password(EngineRole role) => secrets.Unprotect(role.ProtectedPassword);

    public void Rotate(EngineRole role) => role.ProtectedPassword = secrets.Protect(NewPassword());

    // Letters and digits only: safe in every engine's password syntax and in a shell's environment.
    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
}
