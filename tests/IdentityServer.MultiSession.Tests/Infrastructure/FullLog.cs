using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>Keeps every log entry the host writes at the levels its configuration lets through, with its structured fields.</summary>
public sealed class FullLog : ILoggerProvider
{
    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Entry(LogLevel Level, string Category, int EventId, string Message, IReadOnlyDictionary<string, object?> Fields);

    private sealed class Logger(FullLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal)
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            log.Entries.Enqueue(new Entry(logLevel, category, eventId.Id, formatter(state, exception), fields));
        }
    }
}
