using JitGate.Core.Domain;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Identity;

/// <summary>The token a sign-in gives (a password's or single sign-on's): random, stored only as its hash.</summary>
internal static class SessionTokens
{
    /// <summary>Adds a session token for <paramref name="user"/> to the unit of work (saved by the caller) and returns the token and its expiry.</summary>
    public static (string Token, DateTimeOffset ExpiresAt) Issue(JitGateDb db, User user, DateTimeOffset now, TimeSpan lifetime)
    {
        var token = TokenHasher.NewToken();
        var expiresAt = now + lifetime;
        db.ApiTokens.Add(new ApiToken { UserId = user.Id, TokenHash = TokenHasher.Hash(token), Kind = "session", CreatedAt = now, ExpiresAt = expiresAt });
        return (token, expiresAt);
    }
}
