using App.Worker.Queue;

namespace App.Tests.Worker.Queue;

/// <summary>
/// The CPU-heavy part of jobs runs on threads at a lower priority (nice 10 on Linux), and what
/// follows it runs on the thread pool at the process's own priority: no pool thread is ever
/// created by one of the lowered threads, which would pass its priority on. (CI and the machines
/// the app is meant for run Linux.)
/// </summary>
public sealed class BackgroundCpuTests
{
    [Fact]
    public async Task Work_RunsAtTheLoweredPriority_AndWhatFollowsItDoesNot()
    {
        using var cpu = new BackgroundCpu(threads: 2, niceness: 10);

        var niceInside = await cpu.RunAsync(ThreadNice, CancellationToken.None);
        var niceAfter = ThreadNice();

        Assert.Equal(10, cpu.Niceness);
        Assert.Equal(10, niceInside);
        Assert.Equal(0, niceAfter);
    }

    [Fact]
    public async Task ManyResults_LeaveNoPoolThreadAtTheLoweredPriority()
    {
        using var cpu = new BackgroundCpu(threads: 2, niceness: 11);

        // Continuations that block keep the pool injecting threads while results keep coming.
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            var n = await cpu.RunAsync(() => i, CancellationToken.None);
            Thread.Sleep(2);
            return ThreadNice() + n - i;
        }).ToList();
        var nices = await Task.WhenAll(tasks);

        Assert.All(nices, n => Assert.Equal(0, n));
        // Nice 11 is this test's alone: only the two threads it started may have it.
        var lowered = Directory.GetDirectories("/proc/self/task")
            .Select(task => (Comm: TryRead(Path.Combine(task, "comm")), Stat: TryRead(Path.Combine(task, "stat"))))
            .Where(t => t.Stat is not null && NiceOf(t.Stat) == 11)
            .Select(t => t.Comm?.Trim())
            .ToList();
        Assert.Equal(2, lowered.Count);
        Assert.All(lowered, comm => Assert.StartsWith("cpu-background", comm));
    }

    [Fact]
    public async Task AnException_ReachesTheCaller_AndACancelledTokenRunsNothing()
    {
        using var cpu = new BackgroundCpu(threads: 1, niceness: 10);
        var ran = false;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(
            () => cpu.RunAsync<int>(() => throw new InvalidOperationException("bad feed"), CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => cpu.RunAsync(() => ran = true, new CancellationToken(canceled: true)));

        Assert.Equal("bad feed", thrown.Message);
        Assert.False(ran);
        Assert.Equal(7, await cpu.RunAsync(() => 7, CancellationToken.None));
    }

    private static int ThreadNice() => NiceOf(File.ReadAllText("/proc/thread-self/stat"));

    // After the command name in parentheses: state is field 3 and nice field 19 (1-based).
    private static int NiceOf(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19 - 3], System.Globalization.CultureInfo.InvariantCulture);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
