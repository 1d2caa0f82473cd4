using System.Globalization;
using System.Text.Json.Nodes;
using JitGate.Core.Common;
using JitGate.Core.Domain;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Audit records as an OTLP/HTTP logs export request in OTLP's JSON encoding (the OpenTelemetry protocol
/// specification, "OTLP/HTTP" and "JSON Protobuf Encoding"): one resource (<c>service.name</c> jitgate), one
/// scope (<c>JitGate.Audit</c>), one log record per audit record, in order. 64-bit integers are strings, as
/// the protobuf JSON mapping has them; the record's fields are attributes and the whole record is the body.
/// </summary>
public static class OtlpLogs
{
    /// <summary>INFO, or WARN for a record whose outcome is denied or failure (OpenTelemetry's SeverityNumber).</summary>
    private const int Info = 9, Warn = 13;

    /// <summary>The <c>ExportLogsServiceRequest</c> for <paramref name="records"/>.</summary>
    public static JsonObject ExportRequest(IEnumerable<AuditRecord> records, string hostname)
    {
        var logRecords = new JsonArray();
        foreach (var r in records)
        {
            var warn = r.Outcome is AuditLog.Denied or AuditLog.Failure;
            var attributes = new JsonArray
            {
                Attribute("jitgate.audit.id", new JsonObject { ["intValue"] = r.Id.ToString(CultureInfo.InvariantCulture) }),
                Text("jitgate.audit.action", r.Action),
                Text("jitgate.audit.actor", r.Actor),
                Text("jitgate.audit.resource", r.Resource),
                Text("jitgate.audit.outcome", r.Outcome),
            };
            if (r.DatabaseId is not null) attributes.Add(Text("jitgate.audit.database", r.DatabaseId));
            if (r.RemoteAddress is not null) attributes.Add(Text("client.address", r.RemoteAddress));
            var nanos = ((r.At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString(CultureInfo.InvariantCulture);
            logRecords.Add(new JsonObject
            {
                ["timeUnixNano"] = nanos,
                ["observedTimeUnixNano"] = nanos,
                ["severityNumber"] = warn ? Warn : Info,
                ["severityText"] = warn ? "WARN" : "INFO",
                ["eventName"] = r.Action,
                ["body"] = new JsonObject { ["stringValue"] = Json.Serialize(AuditStreamRecord.From(r)) },
                ["attributes"] = attributes,
            });
        }
        return new JsonObject
        {
            ["resourceLogs"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = new JsonArray(Text("service.name", "jitgate"), Text("host.name", hostname)) },
                ["scopeLogs"] = new JsonArray(new JsonObject
                {
                    ["scope"] = new JsonObject { ["name"] = "JitGate.Audit" },
                    ["logRecords"] = logRecords,
                }),
            }),
        };
    }

    private static JsonObject Text(string key, string value) => Attribute(key, new JsonObject { ["stringValue"] = value });

    private static JsonObject Attribute(string key, JsonObject value) => new() { ["key"] = key, ["value"] = value };
}
