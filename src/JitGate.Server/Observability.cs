using System.Diagnostics.Metrics;
using JitGate.Core;
using JitGate.Core.Features.Requests;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Metrics;

namespace JitGate.Server;

/// <summary>Health endpoints for load balancers and orchestrators, and Prometheus metrics.</summary>
internal static class Observability
{
    public static IServiceCollection AddJitGateObservability(this IServiceCollection services)
    {
        services.AddHealthChecks().AddDbContextCheck<JitGateDb>("metadata", tags: ["ready"])
            .AddCheck<StoreWritableCheck>("store-writable", tags: ["ready"]);
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(JitGateMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapJitGateObservability(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).ExcludeFromDescription();
        app.MapPrometheusScrapingEndpoint("/metrics");

        var scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        var clock = app.Services.GetRequiredService<TimeProvider>();
        T Read<T>(Func<JitGateDb, T> read)
        {
            using var scope = scopes.CreateScope();
            return read(scope.ServiceProvider.GetRequiredService<JitGateDb>());
        }
        app.Services.GetRequiredService<JitGateMetrics>().ObserveStore(
            () =>
            {
                var now = clock.GetUtcNow();
                return [new Measurement<long>(Read(db => db.Bindings.LongCount(b => b.RevokedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now))))];
            },
            () => Read(db => db.AccessRequests.GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToList())
                .Select(g => new Measurement<long>(g.Count, new KeyValuePair<string, object?>("status", g.Key))),
            () => [new Measurement<long>(Read(db => db.WebhookDeliveries.LongCount(d => d.Status == DeliveryStatus.Pending)))]);
        IEnumerable<Measurement<long>> PerSink(Func<JitGateDb, JitGate.Core.Domain.AuditSink, long> value) => Read(db => db.AuditSinks.AsNoTracking().ToList()
            .Select(s => new Measurement<long>(value(db, s), new KeyValuePair<string, object?>("sink", s.Id), new KeyValuePair<string, object?>("type", s.Type))).ToList());
        app.Services.GetRequiredService<JitGateMetrics>().ObserveAuditSinks(
            () => PerSink((db, s) => db.AuditRecords.LongCount(r => r.Id > s.Cursor)),
            () => PerSink((_, s) => s.Errors));
        return app;
    }
}
