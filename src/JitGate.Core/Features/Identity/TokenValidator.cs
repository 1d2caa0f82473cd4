using System.Collections.Concurrent;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Core.Features.Identity;

/// <summary>
/// Resolves a bearer token to its user. Valid tokens are remembered briefly so the query path does
/// not read the token table on every call; logout forgets the token at once.
/// </summary>
public sealed class TokenValidator(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (long UserId, DateTimeOffset ExpiresAt, DateTimeOffset CheckedAt)> _known = new(StringComparer.Ordinal);

    public async ValueTask<long?> ValidateAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(TokenHasher.Prefix, StringComparison.Ordinal) || token.Length > 200) return null;
        var hash = TokenHasher.Hash(token);
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(hash, out var known) && now < known.ExpiresAt && now - known.CheckedAt < RememberFor)
        {
            return known.UserId;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JitGateDb>();
        var row = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Select(t => new { t.UserId, t.ExpiresAt })
            .FirstOrDefaultAsync(ct);
        if (row is null || now >= row.ExpiresAt)
        {
            _known.TryRemove(hash, out _);
            return null;
        }
        if (_known.Count > 100_000) _known.Clear();
        _known[hash] = (row.UserId, row.ExpiresAt, now);
        return row.UserId;
    }

    public void Forget(string tokenHash) => _known.TryRemove(tokenHash, out _);
}
