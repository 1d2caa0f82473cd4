using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Policy;

namespace JitGate.Core.Features.Bindings;

public sealed record BindingDto(
    long Id, string? Project, string Principal, string Role, BindingScope? Scope, DateTimeOffset? ExpiresAt,
    string Status, string Source, string? Reason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static string StatusOf(Binding b, DateTimeOffset now) =>
        b.RevokedAt is not null ? "revoked" : b.ExpiresAt is { } e && now >= e ? "expired" : "active";

    public static BindingDto From(Binding b, string principal, string createdBy, DateTimeOffset now) =>
        new(b.Id, b.ProjectId, principal, b.Role, b.ScopeJson is null ? null : Json.Deserialize<BindingScope>(b.ScopeJson),
            b.ExpiresAt, StatusOf(b, now), b.Source, b.Reason, createdBy, b.CreatedAt, b.RevokedAt);
}
