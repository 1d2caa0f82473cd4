using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Core.Domain;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Streams the audit trail to every sink, in id order, from each sink's persisted cursor: a batch is sent, and
/// only once the sink took it does the cursor move past it. A sink that is down keeps its cursor, is tried again
/// with growing pauses (<see cref="AuditSinkBackoff"/>), and catches up when it is back; a batch that may have
/// arrived before a failure is sent again, so delivery is at least once.
/// </summary>
public sealed class AuditStreamer(JitGateDb db, AuditSinks sinks, AuditSinkBackoff backoff, IHttpClientFactory http, TimeProvider clock)
{
    /// <summary>The named HttpClient for OTLP collectors (configured by the server with a timeout).</summary>
    public const string HttpClientName = "audit-sinks";

    /// <summary>Records sent to a sink at once.</summary>
    public const int BatchSize = 200;

    /// <summary>
    /// How long a hole in the ids is waited for. With PostgreSQL an id is taken when a transaction inserts and
    /// seen when it commits, so a later id can be visible before an earlier one; passing the hole at once could
    /// skip that record for ever. A hole still there after this long was a transaction that rolled back.
    /// </summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(10);

    /// <summary>One pass over every sink; answers how many records were delivered.</summary>
    public async Task<int> DeliverAsync(CancellationToken ct)
    {
        var delivered = 0;
        var now = clock.GetUtcNow();
        foreach (var sink in await db.AuditSinks.OrderBy(s => s.Id).ToListAsync(ct))
        {
            if (!backoff.IsDue(sink.Id, now)) continue;
            var batch = InOrder(sink.Cursor, await db.AuditRecords.AsNoTracking().Where(r => r.Id > sink.Cursor).OrderBy(r => r.Id).Take(BatchSize).ToListAsync(ct), now);
            if (batch.Count == 0) continue;
            var error = await SendAsync(sink, batch, ct);
            if (error is null)
            {
                sink.Cursor = batch[^1].Id;
                sink.LastDeliveredAt = clock.GetUtcNow();
                backoff.Succeeded(sink.Id);
                delivered += batch.Count;
            }
            else
            {
                sink.LastError = error.Length > 500 ? error[..500] : error;
                sink.LastErrorAt = clock.GetUtcNow();
                sink.Errors++;
                backoff.Failed(sink.Id, clock.GetUtcNow());
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The sink was removed while its batch was on the way.
                db.ChangeTracker.Clear();
            }
        }
        return delivered;
    }

    /// <summary>The leading records with no recent hole before them (see <see cref="GapWait"/>).</summary>
    private static List<AuditRecord> InOrder(long cursor, List<AuditRecord> records, DateTimeOffset now)
    {
        var expected = cursor + 1;
        var take = 0;
        foreach (var r in records)
        {
            if (r.Id != expected && now - r.At < GapWait) break;
            expected = r.Id + 1;
            take++;
        }
        return records.GetRange(0, take);
    }

    private async Task<string?> SendAsync(AuditSink sink, List<AuditRecord> batch, CancellationToken ct)
    {
        var secrets = sinks.SecretsOf(sink);
        try
        {
            return sink.Type == AuditSinks.Syslog
                ? await SyslogAsync(sink, secrets, batch, ct)
                : await OtlpAsync(sink, secrets, batch, ct);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or HttpRequestException
            or OperationCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException or System.Security.Cryptography.CryptographicException)
        {
            if (ct.IsCancellationRequested) throw;
            return e is OperationCanceledException or Polly.Timeout.TimeoutRejectedException ? "timed out" : e.Message;
        }
    }

    private async Task<string?> SyslogAsync(AuditSink sink, AuditSinkSecrets? secrets, List<AuditRecord> batch, CancellationToken ct)
    {
        var host = Environment.MachineName;
        var frames = batch.Select(r => SyslogMessage.Frame(SyslogMessage.Format(r, host))).ToList();
        await SyslogTlsSender.SendAsync(new Uri(sink.Url), secrets?.Tls, frames, clock, ct);
        return null;
    }

    private async Task<string?> OtlpAsync(AuditSink sink, AuditSinkSecrets? secrets, List<AuditRecord> batch, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, sink.Url)
        {
            Content = new StringContent(OtlpLogs.ExportRequest(batch, Environment.MachineName).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in secrets?.Headers ?? []) message.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.CreateClient(HttpClientName).SendAsync(message, ct);
        if (!response.IsSuccessStatusCode) return $"HTTP {(int)response.StatusCode} from the collector";
        // A collector may accept the request and still reject some records (OTLP partial success): they are not
        // sent again (they would be rejected again), but the sink shows it.
        var answer = await response.Content.ReadAsStringAsync(ct);
        if (answer.Length > 0 && TryParse(answer)?["partialSuccess"] is JsonObject partial
            && long.TryParse(partial["rejectedLogRecords"]?.ToString(), out var rejected) && rejected > 0)
        {
            sink.LastError = $"The collector rejected {rejected} record(s): {(string?)partial["errorMessage"]}";
            sink.LastErrorAt = clock.GetUtcNow();
        }
        return null;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
