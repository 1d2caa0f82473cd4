using System.Globalization;
using System.Text;
using JitGate.Core.Common;
using JitGate.Core.Domain;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// An audit record as an RFC 5424 syslog message, framed for TLS transport by RFC 5425's octet counting
/// ("MSG-LEN SP SYSLOG-MSG"). Facility 13 (log audit); severity 6 (informational), or 4 (warning) for a record
/// whose outcome is denied or failure. MSGID is the action; the message is the record as UTF-8 JSON after a BOM,
/// as RFC 5424 asks for UTF-8 content.
/// </summary>
public static class SyslogMessage
{
    private const int LogAuditFacility = 13;

    /// <summary>The RFC 5424 message (without framing), as bytes.</summary>
    public static byte[] Format(AuditRecord record, string hostname)
    {
        ArgumentNullException.ThrowIfNull(record);
        var severity = record.Outcome is AuditLog.Denied or AuditLog.Failure ? 4 : 6;
        var header = string.Create(CultureInfo.InvariantCulture,
            $"<{LogAuditFacility * 8 + severity}>1 {record.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'} {Token(hostname, 255)} jitgate - {Token(record.Action, 32)} " +
            $"[origin software=\"JitGate\"] ");
        var message = Json.Serialize(AuditStreamRecord.From(record));
        return [.. Encoding.ASCII.GetBytes(header), .. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(message)];
    }

    /// <summary>RFC 5425 octet-counting frame: the message's length in octets, a space, the message.</summary>
    public static byte[] Frame(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return [.. Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "), .. message];
    }

    /// <summary>A header field: printable US-ASCII without spaces, at most <paramref name="max"/> long; "-" when empty (RFC 5424 NILVALUE).</summary>
    private static string Token(string? text, int max)
    {
        var clean = new string((text ?? "").Where(c => c is > ' ' and < (char)127).Take(max).ToArray());
        return clean.Length == 0 ? "-" : clean;
    }
}

/// <summary>An audit record as a SIEM receives it (syslog message body, OTLP log body): the fields of GET /audit.</summary>
public sealed record AuditStreamRecord(long Id, DateTimeOffset At, string Actor, string Action, string Resource, string? Database, string Outcome,
    string? RemoteAddress, System.Text.Json.JsonElement Detail)
{
    /// <summary>Copies a stored record.</summary>
    public static AuditStreamRecord From(AuditRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var detail = System.Text.Json.JsonDocument.Parse(r.DetailJson);
        return new(r.Id, r.At, r.Actor, r.Action, r.Resource, r.DatabaseId, r.Outcome, r.RemoteAddress, detail.RootElement.Clone());
    }
}
