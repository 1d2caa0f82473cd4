using System.Collections.Concurrent;
using System.Security.Cryptography;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Engines.Postgres;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Engines;

/// <summary>
/// What JitGate needs to reach a PostgreSQL instance as its admin, and the per-user login roles it
/// owns there. Role names are derived from ids, so they never carry user input.
/// </summary>
public sealed class PostgresTargets(SecretBox secrets)
{
    public const string QueryRole = "query";
    public const string NativeRole = "native";
    private readonly ConcurrentDictionary<string, PostgresServer> _servers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(long UserId, string DatabaseId), QueryLogin> _queryLogins = new();

    /// <summary>
    /// A query role's login and the privileges last applied to it, as of one policy snapshot (its
    /// generation: an entry must not keep an old snapshot alive).
    /// </summary>
    public sealed record QueryLogin(string RoleName, string Password, string AppliedFingerprint, long SnapshotGeneration);

    public bool TryGetQueryLogin(long userId, string databaseId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out QueryLogin login) =>
        _queryLogins.TryGetValue((userId, databaseId), out login);

    public void RememberQueryLogin(long userId, string databaseId, QueryLogin login) => _queryLogins[(userId, databaseId)] = login;

    public async Task<PostgresServer> ServerAsync(JitGateDb db, string instanceId, CancellationToken ct)
    {
        if (_servers.TryGetValue(instanceId, out var cached)) return cached;
        var instance = await db.Instances.AsNoTracking().FirstAsync(i => i.Id == instanceId, ct);
        var server = new PostgresServer(instance.Host!, instance.Port ?? 5432, instance.Username!, secrets.Unprotect(instance.ProtectedPassword!));
        _servers[instanceId] = server;
        return server;
    }

    public static string RoleNameFor(long userId, string databaseId, string kind)
    {
        // A short hash keeps the name unique per database id yet within PostgreSQL's 63 bytes.
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

    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
}
