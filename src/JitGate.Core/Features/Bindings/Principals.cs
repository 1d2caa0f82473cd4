using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Bindings;

/// <summary>"user:&lt;email&gt;" and "group:&lt;email&gt;" as the API names principals.</summary>
public static class Principals
{
    public static async Task<(string Type, long Id, string Name)> ResolveAsync(JitGateDb db, string? principal, CancellationToken ct)
    {
        var text = (principal ?? "").Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var type = colon > 0 ? text[..colon] : "";
        var email = colon > 0 ? text[(colon + 1)..].Trim().ToLowerInvariant() : "";
        if (type == "user")
        {
            var id = await db.Users.Where(u => u.Email == email).Select(u => (long?)u.Id).FirstOrDefaultAsync(ct);
            return id is null ? throw ApiProblem.Validation($"No user with e-mail '{email}'.") : ("user", id.Value, $"user:{email}");
        }
        if (type == "group")
        {
            var id = await db.Groups.Where(g => g.Email == email).Select(g => (long?)g.Id).FirstOrDefaultAsync(ct);
            return id is null ? throw ApiProblem.Validation($"No group with e-mail '{email}'.") : ("group", id.Value, $"group:{email}");
        }
        throw ApiProblem.Validation("principal must be \"user:<email>\" or \"group:<email>\".");
    }

    /// <summary>Display names for the principals and creators of a set of bindings.</summary>
    public static async Task<Func<Binding, (string Principal, string CreatedBy)>> NamerAsync(JitGateDb db, IReadOnlyCollection<Binding> bindings, CancellationToken ct)
    {
        var userIds = bindings.Where(b => b.PrincipalType == "user").Select(b => b.PrincipalId)
            .Concat(bindings.Select(b => b.CreatedBy)).Distinct().ToList();
        var groupIds = bindings.Where(b => b.PrincipalType == "group").Select(b => b.PrincipalId).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var groups = await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Email, ct);
        return b => (
            b.PrincipalType == "user" ? $"user:{users.GetValueOrDefault(b.PrincipalId, "?")}" : $"group:{groups.GetValueOrDefault(b.PrincipalId, "?")}",
            users.GetValueOrDefault(b.CreatedBy, "system"));
    }
}
