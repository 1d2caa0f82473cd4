using System.Diagnostics.Metrics;

namespace JitGate.Core;

/// <summary>JitGate's own metrics, exported by the server (Prometheus at /metrics).</summary>
public sealed class JitGateMetrics : IDisposable
{
    public const string MeterName = "JitGate";
    private readonly Meter _meter;
    private readonly Counter<long> _queries;
    private long _lastReconcileTicks;

    public JitGateMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _queries = _meter.CreateCounter<long>("jitgate.queries", description: "Queries through POST /query, by outcome (allowed, denied, failure).");
        _meter.CreateObservableGauge("jitgate.reconcile.lag", () => ReconcileLagSeconds, unit: "s",
            description: "Seconds since the reconciler last finished a pass on this replica (0 before the first).");
    }

    public void QueryAnswered(string outcome) => _queries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void ReconcilePassed(DateTimeOffset at) => Interlocked.Exchange(ref _lastReconcileTicks, at.UtcTicks);

    private double ReconcileLagSeconds
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastReconcileTicks);
            return ticks == 0 ? 0 : (DateTime.UtcNow - new DateTime(ticks, DateTimeKind.Utc)).TotalSeconds;
        }
    }

    /// <summary>Gauges read from the metadata store at scrape time: active bindings, requests by status, outbox backlog.</summary>
    public void ObserveStore(Func<IEnumerable<Measurement<long>>> bindings, Func<IEnumerable<Measurement<long>>> requests, Func<IEnumerable<Measurement<long>>> backlog)
    {
        _meter.CreateObservableGauge("jitgate.bindings.active", bindings, description: "Bindings that give access now.");
        _meter.CreateObservableGauge("jitgate.requests", requests, description: "Access requests by status.");
        _meter.CreateObservableGauge("jitgate.outbox.backlog", backlog, description: "Webhook deliveries waiting to be sent.");
    }

    /// <summary>Gauges per audit sink (tags <c>sink</c>, its id, and <c>type</c>), read at scrape time: records not yet delivered, failed attempts.</summary>
    public void ObserveAuditSinks(Func<IEnumerable<Measurement<long>>> lag, Func<IEnumerable<Measurement<long>>> errors)
    {
        _meter.CreateObservableGauge("jitgate.audit_sink.lag", lag, description: "Audit records not yet delivered to the sink.");
        _meter.CreateObservableGauge("jitgate.audit_sink.errors", errors, description: "Failed delivery attempts to the sink since it was added.");
    }

    public void Dispose() => _meter.Dispose();
}
