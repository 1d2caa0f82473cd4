using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace JitGate.BrowserTests.Infrastructure;

/// <summary>
/// Collects every error the console's server logs; the app fails its test when it is disposed with one.
/// A circuit that crashed behind a page that still looked fine is a defect too.
/// </summary>
public sealed class ServerErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

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
