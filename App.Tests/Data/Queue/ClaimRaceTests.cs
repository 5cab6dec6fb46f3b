using System.Collections.Concurrent;
using System.Diagnostics;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Data.Queue;

public sealed class ClaimRaceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(DatabaseEngine.Sqlite)]
    [InlineData(DatabaseEngine.Postgres)]
    public async Task FourClaimersOnSeparateConnections_ClaimEveryJobExactlyOnce(DatabaseEngine engine)
    {
        const int jobs = 2000;
        const int claimers = 4;
        using var temp = await TempDatabase.CreateAsync(engine);
        await temp.Queue().EnqueueManyAsync([.. Enumerable.Repeat(new JobRequest("test"), jobs)]);

        var claims = new ConcurrentBag<(string Owner, long JobId)>();
        using var start = new Barrier(claimers);
        var clock = Stopwatch.StartNew();
        // Threads, not tasks: Microsoft.Data.Sqlite's async calls run synchronously.
        var threads = Enumerable.Range(0, claimers).Select(n => new Thread(() =>
        {
            var queue = temp.Queue();
            var owner = $"claimer-{n}";
            start.SignalAndWait();
            // An empty batch may be a lost race rather than an empty queue: stop only when nothing is pending.
            while (true)
            {
                var batch = queue.ClaimAsync(owner, 8).GetAwaiter().GetResult();
                foreach (var c in batch)
                {
                    claims.Add((owner, c.Lease.JobId));
                }
                if (batch.Count == 0 && PendingCount(temp) == 0)
                {
                    return;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        clock.Stop();

        output.WriteLine(string.Join(", ", claims.GroupBy(c => c.Owner).Select(g => $"{g.Key}: {g.Count()}")));
        output.WriteLine($"{jobs} jobs claimed by {claimers} claimers in {clock.ElapsedMilliseconds} ms ({jobs / clock.Elapsed.TotalSeconds:0} jobs/s)");
        Assert.Equal(jobs, claims.Count);
        Assert.Equal(jobs, claims.Select(c => c.JobId).Distinct().Count());
        await using var check = temp.Open();
        var rows = await check.Jobs.AsNoTracking().ToListAsync();
        Assert.All(rows, j =>
        {
            Assert.Equal(JobState.Running, j.State);
            Assert.Equal(1, j.Attempts);
        });
        // Each row's owner is the claimer that was told it won.
        var owners = claims.ToDictionary(c => c.JobId, c => c.Owner);
        Assert.All(rows, j => Assert.Equal(owners[j.Id], j.LeaseOwner));
    }

    private static int PendingCount(TempDatabase temp)
    {
        using var db = temp.Open();
        return db.Jobs.Count(j => j.State == JobState.Pending);
    }
}
