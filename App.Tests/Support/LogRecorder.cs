using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace App.Tests.Support;

/// <summary>A logger provider that keeps every entry at or above <paramref name="minimum"/>, for tests that assert what was logged.</summary>
public sealed class LogRecorder(LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public LogLevel Minimum => minimum;

    public ConcurrentQueue<(LogLevel Level, string Category, EventId Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Entries.Enqueue((logLevel, category, eventId, formatter(state, exception)));
            }
        }
    }
}
