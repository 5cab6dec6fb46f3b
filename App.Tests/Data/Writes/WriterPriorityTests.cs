using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using App.Data.Sqlite;
using App.Data.Writes;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Writes;

/// <summary>
/// A background process's writers (a worker's) let an interactive process's waiting writer (the
/// web's) have SQLite's write lock first: its lane does not start a turn, and its busy handler
/// does not try again, until that waiter got the lock, or stopped waiting, or
/// <see cref="LockWaiters.YieldAtMost"/> passed. The other process is played here by stamps
/// written into the shared map as its busy handler writes them, so that what is asserted is the
/// order of events, not how long anything took. Alone: a stamp goes stale when its thread does not
/// run for 20 ms, which the parallel suite's load can cause.
/// </summary>
[Collection(RunAloneCollection.Name)]
public sealed class WriterPriorityTests
{
    [Fact]
    public async Task ABackgroundLane_StartsItsTurnOnlyOnceTheInteractiveWaiterHadTheLock()
    {
        var (turnStarted, waitEnded) = await TurnWhileAnotherWaitsAsync(WriterPriority.Background, interactive: true, TimeSpan.FromMilliseconds(10));

        Assert.True(turnStarted > waitEnded, "the background lane took its turn while the interactive writer was still waiting");
    }

    [Fact]
    public async Task ABackgroundLane_DoesNotWaitForAnotherBackgroundProcess()
    {
        var (turnStarted, waitEnded) = await TurnWhileAnotherWaitsAsync(WriterPriority.Background, interactive: false, TimeSpan.FromSeconds(2));

        Assert.True(turnStarted < waitEnded, "the background lane waited for another background process");
    }

    [Fact]
    public async Task AnInteractiveLane_DoesNotYield()
    {
        var (turnStarted, waitEnded) = await TurnWhileAnotherWaitsAsync(WriterPriority.Interactive, interactive: true, TimeSpan.FromSeconds(2));

        Assert.True(turnStarted < waitEnded, "an interactive lane yielded to another interactive process");
    }

    [Fact]
    public async Task ABackgroundLane_WaitsForAnInteractiveWaiterThatNeverGetsTheLock_OnlyForABoundedTime()
    {
        // Stuck far longer than the yield's bound (50 ms): a waiter behind some long holder.
        var (turnStarted, waitEnded) = await TurnWhileAnotherWaitsAsync(WriterPriority.Background, interactive: true, TimeSpan.FromSeconds(3));

        Assert.True(turnStarted < waitEnded, "the background lane waited as long as the interactive waiter stayed");
    }

    /// <summary>
    /// A lane of <paramref name="priority"/> takes a turn while another process waits for the lock
    /// for <paramref name="waiting"/>: when the turn started, and when the other stopped waiting.
    /// </summary>
    private static async Task<(long TurnStarted, long WaitEnded)> TurnWhileAnotherWaitsAsync(
        WriterPriority priority, bool interactive, TimeSpan waiting)
    {
        using var db = await TempDatabase.CreateAsync();
        using var lane = new WriteLane(db.Contexts, db.DataSource, priority);
        await lane.InWriteTransactionAsync(_ => 0);
        using var other = new OtherProcess(db.Path, interactive);

        var wait = other.WaitFor(waiting);
        var turnStarted = await lane.InWriteTransactionAsync(_ => Stopwatch.GetTimestamp());
        return (turnStarted, await wait);
    }

    [Fact]
    public async Task ABackgroundProcesssBusyHandler_DoesNotTakeTheLockBeforeTheInteractiveWaiterHadIt()
    {
        using var db = await TempDatabase.CreateAsync();
        var feed = await db.AddFeedAsync("https://example.com/feed");
        // Opened as a background writer: every connection of this process on the file is one now.
        using var lane = new WriteLane(db.Contexts, db.DataSource, WriterPriority.Background);
        await lane.InWriteTransactionAsync(_ => 0);
        using var web = new OtherProcess(db.Path, interactive: true);

        // Another connection holds the lock; an EF write of this process waits in its busy handler.
        await using var holder = new SqliteConnection(db.ConnectionString);
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }
        var write = Task.Run(async () =>
        {
            await using var context = db.Open();
            await using var tx = await context.Database.BeginTransactionAsync();
            var tookLockAt = Stopwatch.GetTimestamp();
            await context.Feeds.Where(f => f.Id == feed.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.ConsecutiveFailures, 1));
            await tx.CommitAsync();
            return tookLockAt;
        });
        await Task.Delay(50);

        // The web starts waiting, and the lock is freed while it waits: the busy handler must not take it.
        // 30 ms, well inside the 50 ms a background writer yields at most (LockWaiters.YieldAtMost):
        // at 45 ms, sleeps overshot on a loaded machine outlasted the yield (seen once, 2026-12-03).
        var waiting = web.WaitFor(TimeSpan.FromMilliseconds(30));
        await Task.Delay(15);
        await using (var commit = holder.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            await commit.ExecuteNonQueryAsync();
        }
        var gotLockAt = await waiting;
        var tookLockAt = await write;

        Assert.True(tookLockAt > gotLockAt, "the background process's busy handler took the lock while the interactive writer was waiting");
    }

    /// <summary>
    /// Another process on the database as <see cref="LockWaiters"/> sees it: a slot of the shared
    /// map that its busy handler stamps every millisecond while it waits, and clears once it has
    /// the lock (here: when the wait is over).
    /// </summary>
    private sealed class OtherProcess : IDisposable
    {
        private const int Slots = 64;
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly int _slot = (Environment.ProcessId + 1) % Slots;
        private readonly bool _interactive;

        public OtherProcess(string databasePath, bool interactive)
        {
            _interactive = interactive;
            var stream = new FileStream(databasePath + "-lockwait", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            _view = _file.CreateViewAccessor();
        }

        /// <summary>Waits for <paramref name="duration"/>, then clears its slot; returns the timestamp of the clearing.</summary>
        public Task<long> WaitFor(TimeSpan duration)
        {
            var started = new TaskCompletionSource();
            var done = Task.Factory.StartNew(() =>
            {
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < duration)
                {
                    var now = Stopwatch.GetTimestamp();
                    var stamp = _interactive ? now | 1 : now & ~1L;
                    _view.Write(_slot * sizeof(long), stamp);
                    _view.Write(Slots * sizeof(long), now);
                    if (_interactive)
                    {
                        _view.Write((Slots + 1) * sizeof(long), now);
                    }
                    started.TrySetResult();
                    Thread.Sleep(1);
                }
                var cleared = Stopwatch.GetTimestamp();
                _view.Write(_slot * sizeof(long), 0L);
                return cleared;
            }, TaskCreationOptions.LongRunning);
            started.Task.Wait();
            return done;
        }

        public void Dispose()
        {
            _view.Dispose();
            _file.Dispose();
        }
    }
}
