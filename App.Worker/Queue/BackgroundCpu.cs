using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace App.Worker.Queue;

/// <summary>
/// Threads of their own, at a lower scheduling priority (<c>nice</c>), for the CPU-heavy part of
/// jobs (parsing and sanitizing a feed): the threads that write to the database, the web's
/// process and everything else on the machine are scheduled before them.
/// </summary>
/// <remarks>
/// <para>
/// Why: with four workers refreshing on two cores, a completion that stores a feed's items under
/// SQLite's write lock waited 25-50 ms for a core about once in 40 completions (its thread had
/// used 1-2 ms of CPU meanwhile), among dozens of threads parsing at the same priority. Every
/// other process's writes waited through that, the web's subscribe among them. A thread at nice
/// 10 weighs a tenth of one at nice 0, and a waking nice-0 thread preempts it.
/// </para>
/// <para>
/// Linux gives a new thread the priority of the thread that created it, and the .NET thread pool
/// creates its threads from whichever thread asked for work: were these threads to queue work to
/// the pool, new pool threads could inherit their priority. So they never do. Each result is
/// handed to one dispatcher thread at normal priority, which completes the caller's task, whose
/// continuation runs on the pool. Raising a priority back needs a privilege the worker does not
/// have; elsewhere than Linux the threads keep the normal priority.
/// </para>
/// </remarks>
public sealed class BackgroundCpu : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly BlockingCollection<Action> _results = [];
    private readonly Thread[] _threads;
    private readonly Thread _dispatcher;

    /// <param name="threads">How many threads run the work: the cores, as it uses the CPU only.</param>
    /// <param name="niceness">Their <c>nice</c> value, 1 to 19 (0: unchanged).</param>
    public BackgroundCpu(int threads, int niceness)
    {
        Niceness = niceness;
        _dispatcher = new Thread(() => Drain(_results)) { IsBackground = true, Name = "cpu-results" };
        _dispatcher.Start();
        _threads = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            Lower(niceness);
            Drain(_work);
        })
        { IsBackground = true, Name = $"cpu-background-{i}" }).ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>The threads' <c>nice</c> value, as set (0 where it could not be).</summary>
    public int Niceness { get; private set; }

    /// <summary>Runs <paramref name="work"/> on one of the threads; the returned task continues on the thread pool.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            Action complete;
            try
            {
                ct.ThrowIfCancellationRequested();
                var result = work();
                complete = () => done.TrySetResult(result);
            }
            catch (OperationCanceledException e)
            {
                complete = () => done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                complete = () => done.TrySetException(e);
            }
            _results.Add(complete);
        }, CancellationToken.None);
        return done.Task;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        _results.CompleteAdding();
        _dispatcher.Join();
        _work.Dispose();
        _results.Dispose();
    }

    private static void Drain(BlockingCollection<Action> queue)
    {
        foreach (var action in queue.GetConsumingEnumerable())
        {
            action();
        }
    }

    private void Lower(int niceness)
    {
        if (niceness <= 0 || !OperatingSystem.IsLinux())
        {
            Niceness = 0;
            return;
        }
        // PRIO_PROCESS with a thread id sets that thread's priority alone (Linux threads are tasks).
        if (setpriority(PrioProcess, gettid(), niceness) != 0)
        {
            Niceness = 0;
        }
    }

    private const int PrioProcess = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
