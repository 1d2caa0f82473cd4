using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Audit;

/// <summary>
/// Audit streaming against real collectors the test starts: a syslog collector over TLS on loopback (its
/// certificate made here) and an OTLP/HTTP endpoint. Time moves on the fake clock, so a 30-second outage
/// takes no 30 real seconds.
/// </summary>
[Collection(AloneInProcess.Name)]
public sealed partial class AuditSinkTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "P1D" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonNode> SinkAsync(long id) => (await _admin.GetOkAsync("/api/v1/settings/audit-sinks")).AsArray().Single(s => s!["id"]!.GetValue<long>() == id)!;

    private async Task QueryAsync() => Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_test", "select count(*) from employee")).StatusCode);

    private async Task<List<long>> AuditIdsAsync() =>
        (await _admin.GetOkAsync("/api/v1/audit?pageSize=500")).AsArray().Select(r => r!["id"]!.GetValue<long>()).Order().ToList();

    private static long IdOf(string syslogMessage) => JsonNode.Parse(syslogMessage[(syslogMessage.IndexOf('\uFEFF', StringComparison.Ordinal) + 1)..])!["id"]!.GetValue<long>();

    [GeneratedRegex("^<(1[01][0-9])>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [!-~]+ jitgate - [!-~]{1,32} \\[origin software=\"JitGate\"\\] \uFEFF\\{")]
    private static partial Regex Rfc5424();

    [Fact]
    public async Task A_syslog_collector_down_for_30_s_during_a_burst_gets_every_record_in_order_once_it_is_back()
    {
        await using var collector = SyslogTlsReceiver.Start();
        var sink = await _admin.PostOkAsync("/api/v1/settings/audit-sinks",
            new { type = "syslog", url = $"tls://127.0.0.1:{collector.Port}", tls = new { caCertificate = collector.CertificatePem } });
        var id = sink["id"]!.GetValue<long>();
        Assert.Equal($"tls://127.0.0.1:{collector.Port}", sink["url"]!.GetValue<string>());
        Assert.True(sink["tls"]!["caCertificate"]!.GetValue<bool>());

        for (var i = 0; i < 10; i++) await QueryAsync();
        await Eventually.HoldsAsync(_app.Clock, async () => (await SinkAsync(id))["lag"]!.GetValue<long>() == 0 && !collector.Messages.IsEmpty);

        // The collector goes away for 30 s while queries go on.
        await collector.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            await QueryAsync();
            _app.Clock.Advance(TimeSpan.FromSeconds(1.5));
            await Task.Delay(15);
        }
        var down = await SinkAsync(id);
        Assert.True(down["lag"]!.GetValue<long>() >= 20, down.ToJsonString());
        Assert.NotNull(down["lastError"]);
        Assert.True(down["errors"]!.GetValue<long>() > 0);
        using (var anonymous = _app.CreateClient())
        {
            var metrics = await anonymous.GetStringAsync("/metrics");
            Assert.Matches($"jitgate_audit_sink_lag\\{{[^}}]*sink=\"{id}\"[^}}]*\\}} [1-9][0-9]*", metrics);
        }

        collector.Resume();
        for (var i = 0; i < 5; i++) await QueryAsync();
        await Eventually.HoldsAsync(_app.Clock, async () => (await SinkAsync(id))["lag"]!.GetValue<long>() == 0);

        var received = collector.Messages.ToList();
        Assert.All(received, m => Assert.Matches(Rfc5424(), m));
        var ids = received.Select(IdOf).ToList();
        // Every record, each once, in order: consecutive ids from the first record on.
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), ids);
        Assert.Subset(ids.ToHashSet(), (await AuditIdsAsync()).Where(a => a <= ids[^1]).ToHashSet());
        Assert.True(ids.Count >= 35, $"only {ids.Count} records");
        using (var anonymous = _app.CreateClient())
        {
            var last = "";
            try
            {
                await Eventually.HoldsAsync(_app.Clock, async () =>
                {
                    last = string.Join('\n', (await anonymous.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("jitgate_audit_sink", StringComparison.Ordinal)));
                    return Regex.IsMatch(last, $"jitgate_audit_sink_lag\\{{[^}}]*sink=\"{id}\"[^}}]*\\}} 0( |$)", RegexOptions.Multiline);
                });
            }
            catch (Xunit.Sdk.FailException)
            {
                Assert.Fail($"/metrics: {last}\nAPI: {(await SinkAsync(id)).ToJsonString()}\naudit: {string.Join(',', await AuditIdsAsync())}");
            }
        }
    }

    [Fact]
    public async Task A_collector_whose_certificate_is_not_the_trusted_one_gets_nothing()
    {
        await using var collector = SyslogTlsReceiver.Start();
        await using var other = SyslogTlsReceiver.Start();
        var sink = await _admin.PostOkAsync("/api/v1/settings/audit-sinks",
            new { type = "syslog", url = $"tls://127.0.0.1:{collector.Port}", tls = new { caCertificate = other.CertificatePem } });
        await QueryAsync();
        var id = sink["id"]!.GetValue<long>();
        await Eventually.HoldsAsync(_app.Clock, async () => (await SinkAsync(id))["lastError"] is not null);
        Assert.Empty(collector.Messages);
        Assert.True((await SinkAsync(id))["lag"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task An_otlp_collector_gets_log_records_in_order_with_its_header_and_the_header_is_never_shown()
    {
        await using var collector = await Receiver.StartAsync();
        const string token = "Bearer otlp-secret-7f3a";
        collector.FailNext(2);
        var sink = await _admin.PostOkAsync("/api/v1/settings/audit-sinks",
            new { type = "otlp", url = collector.Url + "/v1/logs", headers = new Dictionary<string, string> { ["Authorization"] = token } });
        var id = sink["id"]!.GetValue<long>();
        for (var i = 0; i < 5; i++) await QueryAsync();
        await Eventually.HoldsAsync(_app.Clock, async () => (await SinkAsync(id))["lag"]!.GetValue<long>() == 0);

        var delivered = collector.Requests.Skip(2).ToList();
        Assert.All(collector.Requests, r => Assert.Equal(token, r.Headers["Authorization"]));
        var records = delivered.SelectMany(r => JsonNode.Parse(r.Body)!["resourceLogs"]![0]!["scopeLogs"]![0]!["logRecords"]!.AsArray()).ToList();
        var ids = records.Select(r => long.Parse(r!["attributes"]!.AsArray().Single(a => a!["key"]!.GetValue<string>() == "jitgate.audit.id")!["value"]!["intValue"]!.GetValue<string>(),
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), ids);
        Assert.Contains(records, r => r!["eventName"]!.GetValue<string>() == "query.execute" && r["severityText"]!.GetValue<string>() == "INFO");
        Assert.Equal("jitgate", JsonNode.Parse(delivered[0].Body)!["resourceLogs"]![0]!["resource"]!["attributes"]![0]!["value"]!["stringValue"]!.GetValue<string>());

        // The header's value is kept encrypted and never answered.
        var listed = (await _admin.GetOkAsync("/api/v1/settings/audit-sinks")).ToJsonString();
        Assert.DoesNotContain("otlp-secret", listed, StringComparison.Ordinal);
        Assert.Contains("Authorization", listed, StringComparison.Ordinal);
        var store = await File.ReadAllBytesAsync(Path.Combine(_app.DataDir, "jitgate.db"));
        var wal = Path.Combine(_app.DataDir, "jitgate.db-wal");
        var all = File.Exists(wal) ? [.. store, .. await File.ReadAllBytesAsync(wal)] : store;
        Assert.DoesNotContain("otlp-secret", System.Text.Encoding.UTF8.GetString(all), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_sinks_are_400_naming_the_field_and_only_admins_manage_sinks()
    {
        var cases = new (object Body, string Field)[]
        {
            (new { type = "kafka", url = "tls://127.0.0.1:6514" }, "type"),
            (new { type = "syslog", url = "tcp://127.0.0.1:514" }, "url"),
            (new { type = "syslog", url = "not a url" }, "url"),
            (new { type = "otlp", url = "ftp://collector/v1/logs" }, "url"),
            (new { type = "syslog", url = "tls://127.0.0.1:6514", tls = new { caCertificate = "not pem" } }, "tls.caCertificate"),
            (new { type = "syslog", url = "tls://127.0.0.1:6514", tls = new { clientCertificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" } }, "tls.clientKey"),
            (new { type = "syslog", url = "tls://127.0.0.1:6514", headers = new Dictionary<string, string> { ["X"] = "y" } }, "headers"),
            (new { type = "otlp", url = "http://127.0.0.1:4318/v1/logs", headers = new Dictionary<string, string> { ["Bad Header"] = "y" } }, "headers"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await Api.ProblemAsync(await _admin.PostAsync("/api/v1/settings/audit-sinks", body), HttpStatusCode.BadRequest, "validation");
            Assert.Equal(field, problem["field"]!.GetValue<string>());
        }
        var made = await _admin.PostOkAsync("/api/v1/settings/audit-sinks", new { type = "syslog", url = "tls://127.0.0.1" });
        Assert.Equal("tls://127.0.0.1:6514", made["url"]!.GetValue<string>());
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/settings/audit-sinks", new { type = "syslog", url = "tls://127.0.0.1:6514" }), HttpStatusCode.Forbidden, "forbidden");
        await Api.ProblemAsync(await _dev.Http.DeleteAsync($"/api/v1/settings/audit-sinks/{made["id"]}"), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/settings/audit-sinks/{made["id"]}")).StatusCode);
        Assert.Empty((await _admin.GetOkAsync("/api/v1/settings/audit-sinks")).AsArray());
    }
}
