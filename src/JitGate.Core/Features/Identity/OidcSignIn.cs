using System.Net.Mail;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Features.Catalog;
using JitGate.Core.Features.Engines;
using JitGate.Core.Features.Query;
using JitGate.Core.Features.Settings;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Identity;

/// <summary>
/// What a validated ID token (and the UserInfo answer) says about the person signing in: issuer and subject
/// (OpenID Connect Core 1.0, section 2), e-mail and whether the provider verified it (section 5.1), name, and
/// the values of the configured groups claim.
/// </summary>
public sealed record OidcIdentity(string Issuer, string Subject, string? Email, bool? EmailVerified, string? Name, IReadOnlyList<string> Groups);

/// <summary>
/// Signs in a person the OpenID Connect provider vouched for. The first sign-in creates the user with the
/// workspace's default role, or links an existing user of the same e-mail; later ones must present the same
/// subject. On every sign-in the user's memberships of the provider's groups become exactly the groups the
/// token lists (groups made in JitGate are left as they are), and the user gets a session token as a password
/// sign-in would. Refused (403) for a disabled user, a domain not allowed, an unverified e-mail, or a subject
/// that does not match.
/// </summary>
public sealed class OidcSignIn(JitGateDb db, AuditLog audit, AccessChanged accessChanged,
    SecretBox secrets, TimeProvider clock, IOptions<JitGateOptions> options)
{
    /// <summary>E-mail domain of groups whose claim value is not itself an e-mail address: <c>group:dba@idp.jitgate.local</c>.</summary>
    public const string GroupEmailDomain = "idp.jitgate.local";
    private const int MaxGroups = 500;

    /// <exception cref="ApiProblem">403 with a message for the person: single sign-on off, the e-mail missing, unverified or of a domain not allowed, the account disabled, or linked to another subject.</exception>
    public async Task<LoginResponse> HandleAsync(OidcIdentity identity, string? remoteAddress, CancellationToken ct)
    {
        var config = await OidcConfig.ReadAsync(db, options.Value.Oidc, secrets, ct)
            ?? throw Refused("Single sign-on is not set up in this workspace.");
        var email = RequireEmail(identity);
        if (!config.AllowsDomainOf(email)) throw await FailAsync(email, "domain not allowed", remoteAddress, $"Accounts of {email[(email.IndexOf('@') + 1)..]} may not sign in to this workspace.", ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.ExternalIssuer == identity.Issuer && u.ExternalSubject == identity.Subject, ct)
            ?? await db.Users.FirstOrDefaultAsync(u => u.Email == email, ct);
        var now = clock.GetUtcNow();
        var created = false;
        if (user is null)
        {
            user = new User
            {
                Email = email,
                Name = NameFor(identity, email),
                PasswordHash = "",
                WorkspaceRole = await WorkspaceSettingsStore.DefaultWorkspaceRoleAsync(db, ct),
                CreatedAt = now,
            };
            db.Users.Add(user);
            created = true;
        }
        else if (user.IsServiceAccount)
        {
            throw await FailAsync(email, "service account", remoteAddress, "A service account signs in only with its tokens.", ct);
        }
        else if (user.ExternalIssuer == identity.Issuer && user.ExternalSubject is { } subject && subject != identity.Subject)
        {
            // The provider gave this e-mail to someone else since: the subject, not the e-mail, is who they are.
            throw await FailAsync(email, "subject mismatch", remoteAddress,
                $"The JitGate account {user.Email} belongs to another identity at your provider; ask a workspace admin.", ct);
        }
        if (user.DisabledAt is not null)
        {
            throw await FailAsync(user.Email, "disabled", remoteAddress, "A workspace admin has disabled this account; ask them to enable it.", ct);
        }
        user.ExternalIssuer = identity.Issuer;
        user.ExternalSubject = identity.Subject;
        if (!created && identity.Name is { Length: > 0 and <= 200 } name && TextRules.Check("name", name) is { } checkedName) user.Name = checkedName.Trim();
        await db.SaveChangesAsync(ct);

        var (joined, left) = await SyncGroupsAsync(user, identity.Groups, now, ct);
        var (token, expiresAt) = SessionTokens.Issue(db, user, now, options.Value.TokenLifetime);
        var actor = new Actor(user.Id, user.Email, user.WorkspaceRole, remoteAddress);
        if (created) audit.Add(db, actor, "user.create", $"user:{user.Email}", AuditLog.Success, new { user.WorkspaceRole, source = "oidc", issuer = identity.Issuer });
        audit.Add(db, actor, "auth.login", $"user:{user.Email}", AuditLog.Success, new { method = "oidc", issuer = identity.Issuer, groupsJoined = joined, groupsLeft = left });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        // The provider's groups decide group bindings: leaving one narrows access at once.
        await accessChanged.AfterCommitAsync(joined.Count > 0 || left.Count > 0 ? [user.Id] : [], narrowed: left.Count > 0, ct);
        return new LoginResponse(token, expiresAt, UserDto.From(user));
    }

    private static string RequireEmail(OidcIdentity identity)
    {
        var email = (identity.Email ?? "").Trim().ToLowerInvariant();
        if (email.Length is 0 or > 320 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            throw Refused("Your provider did not send an e-mail address; ask your administrator to release the 'email' claim (scope 'email') to JitGate.");
        }
        // OpenID Connect Core 1.0, section 5.1: an address the provider says it has not verified proves nothing.
        if (identity.EmailVerified == false) throw Refused($"Your provider has not verified {email}; verify it there, then sign in again.");
        return email;
    }

    private static string NameFor(OidcIdentity identity, string email) =>
        identity.Name is { Length: > 0 and <= 200 } name && !name.Any(char.IsControl) ? name.Trim() : email[..email.IndexOf('@')];

    /// <summary>Makes the user's memberships of provider groups exactly <paramref name="claimed"/>, creating groups seen for the first time.</summary>
    private async Task<(List<string> Joined, List<string> Left)> SyncGroupsAsync(User user, IReadOnlyList<string> claimed, DateTimeOffset now, CancellationToken ct)
    {
        var wanted = claimed.Select(g => g.Trim()).Where(g => g.Length is > 0 and <= 400 && !g.Any(char.IsControl))
            .Distinct(StringComparer.Ordinal).Take(MaxGroups).ToList();
        var groups = await db.Groups.Where(g => g.ExternalId != null && wanted.Contains(g.ExternalId)).ToListAsync(ct);
        foreach (var value in wanted.Except(groups.Select(g => g.ExternalId!), StringComparer.Ordinal))
        {
            var group = new Group { Email = await FreeGroupEmailAsync(value, ct), Name = value.Length <= 200 ? value : value[..200], ExternalId = value, CreatedAt = now };
            db.Groups.Add(group);
            groups.Add(group);
        }
        await db.SaveChangesAsync(ct);

        var current = await (from m in db.GroupMembers
                             join g in db.Groups on m.GroupId equals g.Id
                             where m.UserId == user.Id && g.ExternalId != null
                             select new { Member = m, g.Email }).ToListAsync(ct);
        var wantedIds = groups.Select(g => g.Id).ToHashSet();
        var left = current.Where(c => !wantedIds.Contains(c.Member.GroupId)).ToList();
        db.GroupMembers.RemoveRange(left.Select(c => c.Member));
        var have = current.Select(c => c.Member.GroupId).ToHashSet();
        var joined = groups.Where(g => !have.Contains(g.Id)).ToList();
        db.GroupMembers.AddRange(joined.Select(g => new GroupMember { GroupId = g.Id, UserId = user.Id }));
        await db.SaveChangesAsync(ct);
        return (joined.Select(g => g.Email).ToList(), left.Select(c => c.Email).ToList());
    }

    /// <summary>
    /// The value itself when it is an e-mail address (Google Workspace names groups so), otherwise
    /// <c>&lt;slug&gt;@idp.jitgate.local</c>; a number is added when a group already has that e-mail.
    /// </summary>
    private async Task<string> FreeGroupEmailAsync(string value, CancellationToken ct)
    {
        var lower = value.ToLowerInvariant();
        var slug = Slug.From(value);
        var basis = MailAddress.TryCreate(lower, out var parsed) && parsed.Address == lower && lower.Length <= 320
            ? lower
            : $"{(slug.Length == 0 ? "group" : slug)}@{GroupEmailDomain}";
        var candidate = basis;
        for (var n = 2; await db.Groups.AnyAsync(g => g.Email == candidate, ct) || db.Groups.Local.Any(g => g.Email == candidate); n++)
        {
            var at = basis.IndexOf('@', StringComparison.Ordinal);
            candidate = $"{basis[..at]}-{n}{basis[at..]}";
        }
        return candidate;
    }

    private static ApiProblem Refused(string detail) => new(403, "sign-in-refused", "Sign-in refused", detail);

    private async Task<ApiProblem> FailAsync(string email, string reason, string? remoteAddress, string detail, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is { } tx) await tx.RollbackAsync(ct);
        db.ChangeTracker.Clear();
        audit.Add(db, null, "auth.login", $"user:{email}", AuditLog.Failure, new { method = "oidc", reason }, actorEmail: email, remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return reason == "disabled"
            ? new ApiProblem(403, "account-disabled", "Account disabled", detail)
            : Refused(detail);
    }
}
