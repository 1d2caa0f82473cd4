using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Identity;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Tokens;

/// <summary>Makes long-lived API tokens (personal and service) with an expiry of at most a year.</summary>
public static class TokenIssuer
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    public static (ApiToken Row, string Token) Issue(JitGateDb db, long userId, string kind, CreateTokenRequest request, DateTimeOffset now)
    {
        var name = TextRules.Check("name", request.Name)?.Trim();
        if (name is { Length: > 100 }) throw ApiProblem.Validation("name may have at most 100 characters.");
        if (request.Duration is not null && request.ExpiresAt is not null) throw ApiProblem.Validation("Give either expiresAt or duration, not both.");
        var expiresAt = now + DefaultLifetime;
        if (request.Duration is not null)
        {
            var span = Durations.Parse("duration", request.Duration);
            if (span > MaxLifetime) throw ApiProblem.Validation("A token may last at most P366D.", new Dictionary<string, object?> { ["field"] = "duration" });
            expiresAt = now + span;
        }
        else if (request.ExpiresAt is { } at)
        {
            if (at <= now) throw ApiProblem.Validation("expiresAt must be in the future.");
            expiresAt = at.ToUniversalTime();
        }
        if (expiresAt - now > MaxLifetime) throw ApiProblem.Validation("A token may last at most P366D.");
        var token = TokenHasher.NewToken();
        var row = new ApiToken { UserId = userId, TokenHash = TokenHasher.Hash(token), Kind = kind, Name = string.IsNullOrEmpty(name) ? null : name, CreatedAt = now, ExpiresAt = expiresAt };
        db.ApiTokens.Add(row);
        return (row, token);
    }

    public static TokenDto ToDto(ApiToken t) => new(t.Id, t.Name, t.Kind, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);
}
