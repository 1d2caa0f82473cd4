using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace JitGate.Tests.Infrastructure;

/// <summary>
/// Collects every error the server logs. A test whose server logged one fails when the server is
/// disposed: a 500, a crashed background job or a swallowed exception is a defect even when the test's
/// own assertions passed.
/// </summary>
public sealed class ServerErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    /// <summary>Errors logged so far, each as "category: message: exception".</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(ServerErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Error) return;
            log._errors.Enqueue($"{category}: {formatter(state, exception)}{(exception is null ? "" : ": " + exception)}");
        }
    }
}
