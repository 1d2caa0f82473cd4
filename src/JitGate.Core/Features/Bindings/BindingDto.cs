using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Bindings;

/// <summary>
/// A binding as the API answers it. <paramref name="Status"/>: <c>scheduled</c> before <c>StartsAt</c>,
/// then <c>active</c>, and <c>expired</c> or <c>revoked</c> once it ended; <paramref name="RevokedBy"/> is
/// the e-mail of whoever ended it early.
/// </summary>
public sealed record BindingDto(
    long Id, string? Project, string Principal, string Role, BindingScope? Scope, DateTimeOffset? ExpiresAt,
    string Status, string Source, string? Reason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? RevokedBy = null)
{
    /// <summary>When a scheduled window starts; null for access that started when it was granted.</summary>
    public DateTimeOffset? StartsAt { get; init; }

    /// <summary>Emergency access activated without approval, reviewed afterwards.</summary>
    public bool BreakGlass { get; init; }

    /// <summary>The incident the access is tied to; it ends when the incident resolves.</summary>
    public string? Incident { get; init; }

    public static string StatusOf(Binding b, DateTimeOffset now) =>
        b.RevokedAt is not null ? "revoked"
        : b.ExpiresAt is { } e && now >= e ? "expired"
        : b.StartsAt is { } s && now < s ? "scheduled"
        : "active";

    public static BindingDto From(Binding b, string principal, string createdBy, DateTimeOffset now, string? revokedBy = null) =>
        new(b.Id, b.ProjectId, principal, b.Role, b.ScopeJson is null ? null : Json.Deserialize<BindingScope>(b.ScopeJson),
            b.ExpiresAt, StatusOf(b, now), b.Source, b.Reason, createdBy, b.CreatedAt, b.RevokedAt, revokedBy)
        {
            StartsAt = b.StartsAt, BreakGlass = b.BreakGlass, Incident = b.IncidentId,
        };
}
