using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// TLS material for a syslog sink, as PEM text: <paramref name="CaCertificate"/> is the collector's CA (or its
/// self-signed certificate) when it is not one the host trusts; <paramref name="ClientCertificate"/> and
/// <paramref name="ClientKey"/> authenticate JitGate to a collector that asks for a client certificate.
/// </summary>
public sealed record AuditSinkTls(string? CaCertificate, string? ClientCertificate, string? ClientKey);

/// <summary>
/// <c>POST /settings/audit-sinks</c>: <paramref name="Type"/> <c>syslog</c> (RFC 5424 over TLS, RFC 5425 framing;
/// <paramref name="Url"/> <c>tls://host:port</c>, port 6514 by default) or <c>otlp</c> (OTLP/HTTP logs;
/// <paramref name="Url"/> the collector's logs endpoint, such as <c>https://collector:4318/v1/logs</c>, with optional
/// <paramref name="Headers"/> such as an authorization token).
/// </summary>
public sealed record CreateAuditSinkRequest(string? Type, string? Url, AuditSinkTls? Tls, Dictionary<string, string>? Headers);

/// <summary>What is known about a sink's TLS material without showing it.</summary>
public sealed record AuditSinkTlsDto(bool CaCertificate, bool ClientCertificate);

/// <summary>
/// An audit sink as the API shows it: never its TLS material or header values. <paramref name="Lag"/> is the number
/// of audit records not yet delivered to it; <paramref name="Cursor"/> the id of the last one delivered.
/// </summary>
public sealed record AuditSinkDto(long Id, string Type, string Url, AuditSinkTlsDto Tls, List<string> Headers, long Cursor, long Lag,
    string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? LastDeliveredAt, long Errors, DateTimeOffset CreatedAt);

/// <summary>What is stored encrypted in <see cref="AuditSink.ProtectedOptions"/>.</summary>
internal sealed record AuditSinkSecrets(AuditSinkTls? Tls, Dictionary<string, string>? Headers);

/// <summary>
/// Where the audit trail is streamed (a SIEM's syslog or OpenTelemetry collector). Workspace admins add, list and
/// remove sinks; TLS material and headers are kept encrypted (SecretBox) and never shown again. A new sink starts
/// from the first audit record, so the collector receives the whole trail.
/// </summary>
public sealed class AuditSinks(JitGateDb db, SecretBox secrets, AuditLog audit, TimeProvider clock)
{
    public const string Syslog = "syslog";
    public const string Otlp = "otlp";

    /// <summary>The port syslog over TLS uses when the URL names none (RFC 5425).</summary>
    public const int SyslogTlsPort = 6514;

    /// <summary>Adds a sink.</summary>
    /// <exception cref="ApiProblem">403 for anyone but a workspace admin; 400 naming the field that is wrong.</exception>
    public async Task<AuditSinkDto> CreateAsync(Actor actor, CreateAuditSinkRequest request, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is not (Syslog or Otlp)) throw ApiProblem.Validation("type must be syslog or otlp.", Field("type"));
        var url = CheckUrl(request.Type, request.Url);
        var tls = request.Tls is null ? null : new AuditSinkTls(
            Pem("tls.caCertificate", request.Tls.CaCertificate, "CERTIFICATE"),
            Pem("tls.clientCertificate", request.Tls.ClientCertificate, "CERTIFICATE"),
            Pem("tls.clientKey", request.Tls.ClientKey, "PRIVATE KEY"));
        if ((tls?.ClientCertificate is null) != (tls?.ClientKey is null))
        {
            throw ApiProblem.Validation("tls.clientCertificate and tls.clientKey go together.", Field("tls.clientKey"));
        }
        if (tls?.ClientCertificate is not null) CheckClientPair(tls);
        var headers = CheckHeaders(request.Type, request.Headers);
        var now = clock.GetUtcNow();
        var sink = new AuditSink
        {
            Type = request.Type,
            Url = url,
            ProtectedOptions = tls is null && headers is null ? null : secrets.Protect(Json.Serialize(new AuditSinkSecrets(tls, headers))),
            CreatedBy = actor.UserId,
            CreatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.AuditSinks.Add(sink);
        await db.SaveChangesAsync(ct);
        audit.Add(db, actor, "settings.auditSink.create", $"settings/audit-sinks/{sink.Id}", AuditLog.Success,
            new { sink.Type, sink.Url, tls = tls is not null, headers = headers?.Keys.ToList() });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await DtosAsync([sink], ct))[0];
    }

    /// <summary>Every sink with its lag and last error.</summary>
    /// <exception cref="ApiProblem">403 for anyone but a workspace admin.</exception>
    public async Task<List<AuditSinkDto>> ListAsync(Actor actor, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        return await DtosAsync(await db.AuditSinks.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct), ct);
    }

    /// <summary>Removes a sink; nothing more is sent to it.</summary>
    /// <exception cref="ApiProblem">403 for anyone but a workspace admin; 404 for an unknown sink.</exception>
    public async Task DeleteAsync(Actor actor, long id, CancellationToken ct)
    {
        Permissions.RequireAdmin(actor);
        var sink = await db.AuditSinks.FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw ApiProblem.NotFound($"Audit sink {id}");
        db.AuditSinks.Remove(sink);
        audit.Add(db, actor, "settings.auditSink.delete", $"settings/audit-sinks/{id}", AuditLog.Success, new { sink.Type, sink.Url });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Records after each sink's cursor, per sink (the lag the API, the console and /metrics show).</summary>
    public async Task<Dictionary<long, long>> LagsAsync(IReadOnlyList<AuditSink> sinks, CancellationToken ct)
    {
        var lags = new Dictionary<long, long>();
        foreach (var sink in sinks) lags[sink.Id] = await db.AuditRecords.LongCountAsync(r => r.Id > sink.Cursor, ct);
        return lags;
    }

    private async Task<List<AuditSinkDto>> DtosAsync(List<AuditSink> sinks, CancellationToken ct)
    {
        var lags = await LagsAsync(sinks, ct);
        return sinks.Select(s =>
        {
            var options = s.ProtectedOptions is null ? null : Json.Deserialize<AuditSinkSecrets>(secrets.Unprotect(s.ProtectedOptions));
            return new AuditSinkDto(s.Id, s.Type, s.Url,
                new AuditSinkTlsDto(options?.Tls?.CaCertificate is not null, options?.Tls?.ClientCertificate is not null),
                options?.Headers?.Keys.Order(StringComparer.Ordinal).ToList() ?? [], s.Cursor, lags[s.Id], s.LastError, s.LastErrorAt, s.LastDeliveredAt, s.Errors, s.CreatedAt);
        }).ToList();
    }

    /// <summary>The TLS material and headers of a sink, for the streamer.</summary>
    internal AuditSinkSecrets? SecretsOf(AuditSink sink) =>
        sink.ProtectedOptions is null ? null : Json.Deserialize<AuditSinkSecrets>(secrets.Unprotect(sink.ProtectedOptions));

    private static string CheckUrl(string type, string? text)
    {
        if (text is null || text.Length > 2000 || !Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0 || url.UserInfo.Length > 0)
        {
            throw ApiProblem.Validation(type == Syslog ? "url must be tls://host:port." : "url must be the collector's http(s) logs endpoint.", Field("url"));
        }
        if (type == Syslog)
        {
            // RFC 5425 is syslog over TLS: a plain TCP sink would send the audit trail in clear text.
            if (url.Scheme is not ("tls" or "syslog+tls")) throw ApiProblem.Validation("A syslog sink's url is tls://host:port (syslog over TLS).", Field("url"));
            return $"tls://{url.Authority}{(url.IsDefaultPort || url.Port < 0 ? ":" + SyslogTlsPort : "")}";
        }
        if (url.Scheme is not ("https" or "http")) throw ApiProblem.Validation("An otlp sink's url is http(s)://collector:4318/v1/logs.", Field("url"));
        return url.ToString();
    }

    private static string? Pem(string field, string? text, string label)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (text.Length > 64 * 1024 || !text.Contains($"-----BEGIN ", StringComparison.Ordinal) || !text.Contains(label, StringComparison.Ordinal))
        {
            throw ApiProblem.Validation($"{field} must be PEM text (-----BEGIN {label}-----).", Field(field));
        }
        return text.Trim();
    }

    private static void CheckClientPair(AuditSinkTls tls)
    {
        try
        {
            using var _ = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(tls.ClientCertificate, tls.ClientKey);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw ApiProblem.Validation("tls.clientCertificate and tls.clientKey do not make a certificate with its key.", Field("tls.clientKey"));
        }
    }

    private static Dictionary<string, string>? CheckHeaders(string type, Dictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0) return null;
        if (type != Otlp) throw ApiProblem.Validation("headers are for otlp sinks.", Field("headers"));
        if (headers.Count > 20) throw ApiProblem.Validation("At most 20 headers.", Field("headers"));
        foreach (var (name, value) in headers)
        {
            if (name.Length is 0 or > 100 || !name.All(c => c is > ' ' and < (char)127 and not ':')
                || value is null || value.Length > 4000 || value.Any(c => c < ' ' || c == (char)127))
            {
                throw ApiProblem.Validation($"Header '{name}' is not a valid HTTP header.", Field("headers"));
            }
        }
        return headers;
    }

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };
}
