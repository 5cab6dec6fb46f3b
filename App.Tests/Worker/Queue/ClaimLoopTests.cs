using System.Diagnostics;
using App.Data;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace App.Tests.Worker.Queue;

/// <summary>The claim loop alone, on a real database, with another connection playing the other processes.</summary>
public sealed class ClaimLoopTests : DatabaseTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<ClaimedJob> _claimed = [];
    private readonly List<long> _claimedAt = [];

    [Fact]
    public async Task Contention_GrowsWhenAnotherProcessKeepsTheWriteLock()
    {
        var queue = Db.Queue();
        // The test decides when the loop has room, so that the second job cannot be claimed before the lock is taken.
        var capacity = 1;
        var loop = new ClaimLoop(queue, "worker-1", () => new Dictionary<string, int> { ["noop"] = Volatile.Read(ref capacity) }, Record,
            new DiskFullState(TimeProvider.System, NullLogger<DiskFullState>.Instance), NullLogger.Instance);
        try
        {
            // Several passes alone first: the averages start from the first pass, which is slow (statements prepared, code compiled).
            const int warmPasses = 10;
            for (var i = 1; i <= warmPasses; i++)
            {
                await queue.EnqueueAsync(new JobRequest("noop"));
                loop.RequestClaim();
                await WaitForClaimsAsync(i);
            }
            var alone = loop.Contention;

            Volatile.Write(ref capacity, 0);
            await queue.EnqueueAsync(new JobRequest("noop"));
            using (var other = SqliteConnectionSetup.OpenRaw(Db.ConnectionString))
            {
                SqliteConnectionSetup.BeginImmediate(other);
                Volatile.Write(ref capacity, 1);
                loop.RequestClaim();
                await Task.Delay(TimeSpan.FromSeconds(1));
                using var rollback = other.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
            await WaitForClaimsAsync(warmPasses + 1);

            // Alone, a pass is mostly its transaction; after waiting a second for a lock held elsewhere,
            // the pass took many times what the transaction itself held the lock for (a moving
            // average: one such pass weighs a fifth, a ratio in the hundreds). Compared with the
            // passes alone rather than with a fixed bound on them: on a loaded machine a thread
            // preempted between its statements stretches a lone pass too (it failed twice at 3).
            Assert.True(loop.Contention > Math.Max(10, 3 * alone),
                $"contention {loop.Contention:F1} after a 1 s wait (alone {alone:F1}), pass {loop.PassTime.TotalMilliseconds:F2} ms");
        }
        finally
        {
            await loop.StopAsync();
        }
    }

    [Fact]
    public async Task ARequestAfterAPassThatFoundNothing_IsServedAtOnce_AndAfterAPassThatWrote_WaitsForTheGap()
    {
        // A gap far longer than any pass, so that "at once" and "after the gap" differ on a loaded machine too.
        var gap = TimeSpan.FromSeconds(2);
        var queue = Db.Queue();
        long lastPass = 0;
        var loop = new ClaimLoop(queue, "worker-1", () =>
        {
            Volatile.Write(ref lastPass, Stopwatch.GetTimestamp());
            return new Dictionary<string, int> { ["noop"] = 1 };
        }, Record, new DiskFullState(TimeProvider.System, NullLogger<DiskFullState>.Instance), NullLogger.Instance, gap);
        try
        {
            // An empty queue: the poll, or a wake-up for a commit that carried no job. The pass
            // writes nothing, so a job enqueued right after is claimed at once.
            loop.RequestClaim();
            await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref lastPass) != 0), Patience, "a pass that finds nothing");
            var emptyPass = Volatile.Read(ref lastPass);
            await queue.EnqueueAsync(new JobRequest("noop"));
            loop.RequestClaim();
            await WaitForClaimsAsync(1);
            var afterEmpty = ClaimedAfter(emptyPass);
            // Nothing else asks for a pass meanwhile: this is when the pass that claimed began, and
            // the gap counts from there (a first claim can take half a second under load).
            var writingPass = Volatile.Read(ref lastPass);

            // That pass claimed (it wrote, and its commit comes back as a request): the next request waits for the gap.
            await queue.EnqueueAsync(new JobRequest("noop"));
            loop.RequestClaim();
            await WaitForClaimsAsync(2);
            var afterWrite = ClaimedAfter(writingPass);

            Assert.True(afterEmpty < gap / 2, $"claimed {afterEmpty.TotalMilliseconds:F0} ms after a pass that found nothing");
            Assert.True(afterWrite >= gap * 0.9, $"claimed {afterWrite.TotalMilliseconds:F0} ms after the start of a pass that claimed");
        }
        finally
        {
            await loop.StopAsync();
        }

        TimeSpan ClaimedAfter(long start)
        {
            lock (_claimed)
            {
                return Stopwatch.GetElapsedTime(start, _claimedAt[^1]);
            }
        }
    }

    private void Record(IReadOnlyList<ClaimedJob> jobs)
    {
        lock (_claimed)
        {
            _claimed.AddRange(jobs);
            _claimedAt.Add(Stopwatch.GetTimestamp());
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
