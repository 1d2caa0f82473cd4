using System.Collections.Concurrent;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Features.Identity;

/// <summary>
/// Resolves a bearer token to its user. Valid tokens are remembered briefly so the query path does
/// not read the token table on every call; logout forgets the token at once.
/// </summary>
public sealed class TokenValidator(IServiceScopeFactory scopes, TimeProvider clock, ChangeFeed changes)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (ValidToken Token, DateTimeOffset ExpiresAt, DateTimeOffset CheckedAt)> _known = new(StringComparer.Ordinal);

    /// <summary>A token that checked out: whose it is and what kind (session, personal, service).</summary>
    public sealed record ValidToken(long TokenId, long UserId, string Kind);

    public async ValueTask<ValidToken?> ValidateAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(TokenHasher.Prefix, StringComparison.Ordinal) || token.Length > 200) return null;
        var hash = TokenHasher.Hash(token);
        var now = clock.GetUtcNow();
        // Replicas sharing the metadata store read the token every time: a logout elsewhere must hold here at once.
        if (!changes.Shared && _known.TryGetValue(hash, out var known) && now < known.ExpiresAt && now - known.CheckedAt < RememberFor)
        {
            return known.Token;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        var row = await db.ApiTokens
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .FirstOrDefaultAsync(ct);
        if (row is null || now >= row.ExpiresAt)
        {
            _known.TryRemove(hash, out _);
            return null;
        }
        // Last use is kept to the minute: a write on every call would cost more than it tells.
        if (row.Kind != "session" && (row.LastUsedAt is not { } last || now - last >= TimeSpan.FromMinutes(1)))
        {
            row.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        if (_known.Count > 100_000) _known.Clear();
        var valid = new ValidToken(row.Id, row.UserId, row.Kind);
        _known[hash] = (valid, row.ExpiresAt, now);
        return valid;
    }

    public void Forget(string tokenHash) => _known.TryRemove(tokenHash, out _);

    /// <summary>Forgets every remembered token, after tokens were revoked by id.</summary>
    public void ForgetAll() => _known.Clear();
}
