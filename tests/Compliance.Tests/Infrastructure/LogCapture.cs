using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// Keeps what a host logs (at the levels its configuration lets through), so a test can wait for a line as proof that some
/// work has run to its end, instead of sleeping before it checks that the work left nothing behind.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> lines = new();

    /// <summary>Adds this capture to a host's logging (pass it to <c>configureServices</c>).</summary>
    public void AddTo(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

    /// <summary>The lines of <paramref name="category"/> (a logger's category: the full name of the class that logs) so far.</summary>
    public IReadOnlyList<LogLine> Of(string category) => [.. lines.Where(l => l.Category == category)];

    /// <summary>Waits until a line of <paramref name="category"/> matches <paramref name="match"/>, and returns it.</summary>
    public async Task<LogLine> WaitForAsync(string category, Func<LogLine, bool> match, string because, TimeSpan? timeout = null)
    {
        var found = await Eventually.GetAsync(() => Task.FromResult(Of(category).FirstOrDefault(match)), l => l is not null, timeout, because);
        return found!;
    }

    /// <summary>Waits until a line of any category matches <paramref name="match"/>, and returns it.</summary>
    public async Task<LogLine> WaitForAnyAsync(Func<LogLine, bool> match, string because, TimeSpan? timeout = null)
    {
        var found = await Eventually.GetAsync(() => Task.FromResult(lines.FirstOrDefault(match)), l => l is not null, timeout, because);
        return found!;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>One logged line: its category, level and formatted message.</summary>
    public sealed record LogLine(string Category, LogLevel Level, string Message);

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
