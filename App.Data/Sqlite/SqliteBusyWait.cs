using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace App.Data.Sqlite;

/// <summary>
/// How every connection of the app waits for a write lock that another connection holds: it tries
/// again every millisecond for up to five seconds, then gets SQLITE_BUSY.
/// </summary>
/// <remarks>
/// SQLite's own handler (<c>PRAGMA busy_timeout</c>) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50,
/// 50 and then 100 ms between tries. Against worker processes that write back to back and try
/// every millisecond, a connection on that schedule wins the lock only by chance: cancelling a job
/// from the web took up to 1.7 s (p99 1.3-1.4 s) while four workers drained no-op jobs. With one
/// schedule for all, every writer gets its turn within a few milliseconds. SQLitePCLRaw does not
/// expose <c>sqlite3_busy_handler</c>, so it is called in the bundled e_sqlite3 library directly.
/// Sleeping waiters still lose to a process that asks again within microseconds of its commit:
/// each try is stamped in <see cref="LockWaiters"/>, where such a writer sees it and stands aside.
/// A background process's waiter (a worker's) that sees an interactive one waiting sleeps until it
/// has had the lock, rather than contend with it.
/// </remarks>
internal static class SqliteBusyWait
{
    public const int TimeoutMs = 5000;

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1);

    // Kept in a static field: native code holds a pointer to it for the life of the process.
    private static readonly BusyHandler Handler = OnBusy;

    // A busy wait runs inside one sqlite3_step on one thread; its first call (count 0) starts the clock.
    [ThreadStatic]
    private static long _waitStarted;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BusyHandler(IntPtr state, int count);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(IntPtr db, BusyHandler handler, IntPtr state);

    /// <summary>Installs the wait on an open connection (replacing any busy_timeout).</summary>
    public static void Install(SqliteConnection connection)
    {
        var rc = sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), Handler, LockWaiters.HandleFor(connection));
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
    }

    private static int OnBusy(IntPtr state, int count)
    {
        if (count == 0)
        {
            _waitStarted = Stopwatch.GetTimestamp();
        }
        else if (Stopwatch.GetElapsedTime(_waitStarted).TotalMilliseconds >= TimeoutMs)
        {
            return 0;
        }
        try
        {
            LockWaiters.Stamp(state);
            if (LockWaiters.YieldToInteractive(state))
            {
                return 1;
            }
        }
        catch (ObjectDisposedException)
        {
            // The map closed under this try (its last writer in this process was disposed): one stamp less.
        }
        // Without spinning: on two cores a spinning waiter takes the CPU from the lock's holder.
        Thread.Sleep(Pause);
        return 1;
    }
}
