using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace App.Tests.Data.Sqlite;

public sealed class DiskFullStateTests
{
    private readonly FakeTimeProvider _time = TempDatabase.FakeClock();
    private readonly CountingLogger _log = new();

    [Fact]
    public void Observe_RecognisesARealSqliteFull_AlsoInsideAnUpdateException_AndNothingElse()
    {
        var state = new DiskFullState(_time, _log);
        var full = RealDiskFull();

        Assert.True(state.Observe(new DbUpdateException("saving failed", full)));
        Assert.False(state.Observe(new SqliteException("database is locked", 5)));
        Assert.False(state.Observe(new InvalidOperationException("no")));
        Assert.Equal(_time.GetUtcNow(), state.LastFullAt);
        Assert.True(state.IsFull);
    }

    [Fact]
    public void Observe_RecognisesPostgresDiskFull_AndNotItsOtherErrors()
    {
        var state = new DiskFullState(_time, _log);

        Assert.False(state.Observe(new PostgresException("duplicate key value", "ERROR", "ERROR", "23505")));
        Assert.False(state.IsFull);
        Assert.True(state.Observe(new DbUpdateException("saving failed",
            new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", DiskFullState.PostgresDiskFull))));
        Assert.True(state.IsFull);
    }

    [Fact]
    public void Observe_LogsOnceAMinute_WithHowManyWritesWereRefused_AndIsFullForAMinuteAfterTheLast()
    {
        var state = new DiskFullState(_time, _log);
        var full = new SqliteException("database or disk is full", DiskFullState.SqliteFull);

        for (var i = 0; i < 70; i++)
        {
            state.Observe(full);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["1 write(s)", "60 write(s)"], _log.Lines.Select(l => l[(l.IndexOf("full: ", StringComparison.Ordinal) + 6)..(l.IndexOf(" refused", StringComparison.Ordinal))]));
        Assert.True(state.IsFull);
        _time.Advance(DiskFullState.Window);
        Assert.False(state.IsFull);
    }

    private static SqliteException RealDiskFull()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA max_page_count = 2; CREATE TABLE t (x BLOB);";
        command.ExecuteNonQuery();
        command.CommandText = "INSERT INTO t VALUES (zeroblob(100000))";
        return Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
    }

    private sealed class CountingLogger : ILogger<DiskFullState>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
