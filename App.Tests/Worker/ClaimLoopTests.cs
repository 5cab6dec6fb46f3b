using App.Data;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace App.Tests.Worker;

/// <summary>The claim loop alone, on a real database, with another connection playing the other processes.</summary>
public sealed class ClaimLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TempDatabase _db = null!;
    private readonly List<ClaimedJob> _claimed = [];

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Contention_GrowsWhenAnotherProcessKeepsTheWriteLock()
    {
        var queue = _db.Queue();
        var loop = new ClaimLoop(queue, "worker-1", () => 1, Record, NullLogger.Instance);
        try
        {
            await queue.EnqueueAsync(new JobRequest("noop"));
            loop.RequestClaim();
            await WaitForClaimsAsync(1);
            var alone = loop.Contention;

            await queue.EnqueueAsync(new JobRequest("noop"));
            using (var other = SqliteConnectionSetup.OpenRaw(_db.ConnectionString))
            {
                SqliteConnectionSetup.BeginImmediate(other);
                loop.RequestClaim();
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                using var rollback = other.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
            await WaitForClaimsAsync(2);

            // Alone, a pass is mostly its transaction; after waiting 300 ms for a lock held elsewhere,
            // the pass took many times what the transaction itself held the lock for.
            Assert.InRange(alone, 1, 10);
            Assert.True(loop.Contention > 20, $"contention {loop.Contention:F1} after a 300 ms wait (alone {alone:F1})");
        }
        finally
        {
            await loop.StopAsync();
        }
    }

    private void Record(IReadOnlyList<ClaimedJob> jobs)
    {
        lock (_claimed)
        {
            _claimed.AddRange(jobs);
        }
    }

    private Task WaitForClaimsAsync(int count) => Eventually.TrueAsync(() =>
    {
        lock (_claimed)
        {
            return Task.FromResult(_claimed.Count == count);
        }
    }, Patience, $"{count} claimed job(s)");
}
