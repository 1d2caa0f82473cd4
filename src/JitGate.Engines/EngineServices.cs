using JitGate.Engines.Postgres;
using JitGate.Engines.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace JitGate.Engines;

/// <summary>Registers the engines this build carries, each as an <see cref="ITargetEngine"/> singleton that owns its connections.</summary>
public static class EngineServices
{
    public static IServiceCollection AddJitGateEngines(this IServiceCollection services)
    {
        services.AddSingleton<ITargetEngine, SqliteEngine>();
        services.AddSingleton<ITargetEngine, PostgresEngine>();
        return services;
    }
}
