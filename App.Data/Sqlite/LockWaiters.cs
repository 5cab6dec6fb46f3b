using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using App.Data.Writes;
using Microsoft.Data.Sqlite;

namespace App.Data.Sqlite;

/// <summary>
/// Who is waiting for the database's write lock, shared by every process on the file: a small
/// memory-mapped file beside it (<c>app.db-lockwait</c>) where a connection waiting in
/// <see cref="SqliteBusyWait"/> stamps the time of each try, and clears it once it has the lock.
/// A process that writes back to back (a worker's <see cref="Writes.WriteLane"/>) looks here at its
/// next turn and stands aside while another waits.
/// </summary>
/// <remarks>
/// SQLite gives the lock to whoever asks while it is free. A worker's lane asks again within
/// microseconds of its commit, while a waiter in another process asks only between sleeps of 1 ms
/// (1-5 ms late under load): with one worker refreshing feeds, the web's <c>POST /api/feeds</c>
/// spent p99 120 ms (up to 1.1 s, 593 tries) in that wait, and almost nothing elsewhere
/// (docs/feeds.md). Each process has a slot (its id modulo <see cref="Slots"/>; two processes that
/// share one are counted as one waiter) holding a <see cref="Stopwatch"/> timestamp, a monotonic
/// clock that all processes of a machine read alike. A stamp counts for <see cref="FreshFor"/>
/// only: a waiter that crashed, gave up or took the lock without clearing (a write outside a
/// transaction) stops counting on its own, so nothing stale slows anyone for long. When the file
/// cannot be opened (a read-only folder, an in-memory database) there is no map and writers
/// behave as before.
/// <para>
/// A stamp's lowest bit says whether its process is interactive (<see cref="WriterPriority"/>):
/// the web's writes answer a person, a worker's do not. A background process's writers do not
/// take the lock while an interactive one waits for it (<see cref="InteractiveWaiting"/>): with
/// four workers taking turns among themselves, none of them wrote back to back, so none stood
/// aside, and the web's subscribe was one of five contenders at each release of the lock (p50 17
/// ms, p99 190-540 ms in <c>feeds-refresh</c>, against 3.6 / 34 ms beside one worker).
/// </para>
/// </remarks>
internal sealed class LockWaiters : IDisposable
{
    /// <summary>How long a try counts as someone waiting: longer than a waiter's sleep between tries under load.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long a background writer waits, at most, for interactive waiters to get the lock before
    /// it asks for it anyway: a few of the web's transactions, and a bound on what an interactive
    /// waiter that is itself stuck behind a long holder costs the workers.
    /// </summary>
    public static readonly TimeSpan YieldAtMost = TimeSpan.FromMilliseconds(50);

    private const int Slots = 64;

    // After the slots: the latest try of any process, so that a writer's look at the start of
    // each turn, nearly always at a map where nobody waits, reads one word rather than 64.
    private const int Latest = Slots;

    // The latest try of an interactive process: a background writer's look at each turn reads it alone.
    private const int LatestInteractive = Slots + 1;

    private const int MapBytes = (Slots + 2) * sizeof(long);

    private const long InteractiveBit = 1;

    private static readonly ConcurrentDictionary<string, Entry> ByDataSource = new();
    private static readonly ConcurrentDictionary<string, Entry> ByConnectionString = new();

    private static readonly long FreshTicks = (long)(FreshFor.TotalSeconds * Stopwatch.Frequency);
    private static readonly int OwnSlot = Environment.ProcessId % Slots;

    private readonly Entry _entry;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private int _users;
    private volatile bool _closed;

    private LockWaiters(Entry entry, MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _entry = entry;
        _file = file;
        _view = view;
    }

    /// <summary>
    /// The map of the file of <paramref name="connectionString"/>, opened for a writer of this
    /// process until <see cref="Dispose"/>; null when it cannot be. Connections of this process on
    /// the file stamp it while a writer has it open. Once a background writer opened it, every
    /// connection of this process on the file is a background one.
    /// </summary>
    public static LockWaiters? Open(string connectionString, WriterPriority priority)
    {
        var entry = EntryOf(connectionString);
        lock (entry)
        {
            entry.Background |= priority == WriterPriority.Background;
            if (entry.Open is null && TryCreate(entry) is { } created)
            {
                entry.Open = created;
            }
            if (entry.Open is { } waiters)
            {
                waiters._users++;
            }
            return entry.Open;
        }
    }

    /// <summary>
    /// What <see cref="SqliteBusyWait"/> passes to SQLite as the handler's state for
    /// <paramref name="connection"/>: it finds the map whenever a writer opens it, before or after
    /// the connection.
    /// </summary>
    public static IntPtr HandleFor(SqliteConnection connection) => EntryOf(connection.ConnectionString).Handle;

    /// <summary>A busy handler's try: stamps the map behind <paramref name="handle"/>, if one is open.</summary>
    public static void Stamp(IntPtr handle)
    {
        if (WaitersOf(handle) is { } waiters)
        {
            var now = Stopwatch.GetTimestamp();
            var interactive = !waiters._entry.Background;
            waiters.Write(OwnSlot, interactive ? now | InteractiveBit : now & ~InteractiveBit);
            waiters.Write(Latest, now);
            if (interactive)
            {
                waiters.Write(LatestInteractive, now);
            }
        }
    }

    /// <summary>
    /// A busy handler's try in a background process: while an interactive process waits, the
    /// handler sleeps until it got the lock (or stopped waiting, or <see cref="YieldAtMost"/>
    /// passed) instead of trying again a millisecond later. False: nobody to yield to.
    /// </summary>
    public static bool YieldToInteractive(IntPtr handle)
    {
        if (WaitersOf(handle) is not { } waiters)
        {
            return false;
        }
        Span<long> stamps = stackalloc long[Slots];
        if (!waiters.InteractiveWaiting(stamps))
        {
            return false;
        }
        waiters.YieldTo(stamps);
        return true;
    }

    private static LockWaiters? WaitersOf(IntPtr handle) =>
        handle != IntPtr.Zero && GCHandle.FromIntPtr(handle).Target is Entry { Open: { } waiters } ? waiters : null;

    /// <summary><paramref name="connection"/> has the lock: this process's stamp no longer counts.</summary>
    public static void Clear(SqliteConnection connection)
    {
        if (ByConnectionString.TryGetValue(connection.ConnectionString, out var entry) && entry.Open is { } waiters)
        {
            waiters.Clear();
        }
    }

    /// <summary>This process has the lock (or stopped waiting).</summary>
    public void Clear()
    {
        if (!_closed && Read(OwnSlot) != 0)
        {
            Write(OwnSlot, 0);
        }
    }

    /// <summary>
    /// Whether another process is waiting now; if so, <paramref name="stamps"/> (one per slot) holds
    /// the stamps of those waiting and 0 for the other slots.
    /// </summary>
    public bool OthersWaiting(Span<long> stamps)
    {
        var now = Stopwatch.GetTimestamp();
        if (_closed || !IsFresh(Read(Latest), now))
        {
            return false;
        }
        var any = false;
        for (var slot = 0; slot < Slots; slot++)
        {
            // This process's own waiters queue on its lane's gate, held by the caller: nothing to stand aside for.
            var stamp = _closed || slot == OwnSlot ? 0 : Read(slot);
            stamps[slot] = IsFresh(stamp, now) ? stamp : 0;
            any |= stamps[slot] != 0;
        }
        return any;
    }

    /// <summary>
    /// Whether every waiter of <paramref name="stamps"/> (from <see cref="OthersWaiting"/>) has moved on:
    /// tried again since, cleared its slot, or stopped counting.
    /// </summary>
    public bool AllMovedOn(ReadOnlySpan<long> stamps)
    {
        var now = Stopwatch.GetTimestamp();
        for (var slot = 0; slot < Slots; slot++)
        {
            if (stamps[slot] != 0 && !_closed && Read(slot) == stamps[slot] && IsFresh(stamps[slot], now))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Whether this is a background process and an interactive one is waiting now; if so,
    /// <paramref name="stamps"/> holds the stamps of the interactive waiters and 0 for other slots.
    /// </summary>
    public bool InteractiveWaiting(Span<long> stamps)
    {
        // Asked at every turn of a lane: an interactive process (the web) stops at the first test.
        if (_closed || !_entry.Background)
        {
            return false;
        }
        var now = Stopwatch.GetTimestamp();
        if (!IsFresh(Read(LatestInteractive), now))
        {
            return false;
        }
        var any = false;
        for (var slot = 0; slot < Slots; slot++)
        {
            var stamp = _closed || slot == OwnSlot ? 0 : Read(slot);
            stamps[slot] = IsFresh(stamp, now) && (stamp & InteractiveBit) != 0 ? stamp : 0;
            any |= stamps[slot] != 0;
        }
        return any;
    }

    /// <summary>
    /// Whether every interactive waiter of <paramref name="stamps"/> (from
    /// <see cref="InteractiveWaiting"/>) got the lock (cleared its slot) or stopped waiting (its
    /// stamp went stale). One that tried again and lost to a third writer is still waiting.
    /// </summary>
    public bool InteractiveServed(ReadOnlySpan<long> stamps)
    {
        var now = Stopwatch.GetTimestamp();
        for (var slot = 0; slot < Slots; slot++)
        {
            if (stamps[slot] == 0 || _closed)
            {
                continue;
            }
            var stamp = Read(slot);
            if (IsFresh(stamp, now) && (stamp & InteractiveBit) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Sleeps until the interactive waiters of <paramref name="stamps"/> are served, for <see cref="YieldAtMost"/> at most.</summary>
    public void YieldTo(ReadOnlySpan<long> stamps)
    {
        var started = Stopwatch.GetTimestamp();
        while (!InteractiveServed(stamps) && Stopwatch.GetElapsedTime(started) < YieldAtMost)
        {
            Thread.Sleep(1);
        }
    }

    /// <summary>The number of slots, for a buffer given to <see cref="OthersWaiting"/>.</summary>
    public static int SlotCount => Slots;

    /// <summary>A writer of this process is done with the map; the last one closes it.</summary>
    public void Dispose()
    {
        lock (_entry)
        {
            if (--_users > 0)
            {
                return;
            }
            _entry.Open = null;
            _closed = true;
        }
        _view.Dispose();
        _file.Dispose();
    }

    private static bool IsFresh(long stamp, long now) => stamp != 0 && now - stamp >= 0 && now - stamp < FreshTicks;

    // Connection strings differ in settings (pooling, timeouts) but name one file: one entry per file.
    private static Entry EntryOf(string connectionString) =>
        ByConnectionString.TryGetValue(connectionString, out var entry)
            ? entry
            : ByConnectionString.GetOrAdd(connectionString, c =>
                ByDataSource.GetOrAdd(FileOf(new SqliteConnectionStringBuilder(c)), d => new Entry(d)));

    private static string FileOf(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory ? ":memory:" : builder.DataSource;

    private static LockWaiters? TryCreate(Entry entry)
    {
        var dataSource = entry.DataSource;
        if (dataSource.Length == 0 || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            var path = Path.GetFullPath(dataSource) + "-lockwait";
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            var file = MemoryMappedFile.CreateFromFile(stream, null, MapBytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new LockWaiters(entry, file, file.CreateViewAccessor(0, MapBytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Aligned 8-byte reads and writes of a shared page: whole on the machines .NET runs on, and a
    // torn or lost stamp only makes one turn less fair.
    private long Read(int slot) => _view.ReadInt64(slot * sizeof(long));

    private void Write(int slot, long value)
    {
        if (!_closed)
        {
            _view.Write(slot * sizeof(long), value);
        }
    }

    /// <summary>
    /// One per database file a connection of this process opened. Its handle is never freed: native
    /// busy handlers of pooled connections hold it for the life of the process.
    /// </summary>
    private sealed class Entry
    {
        public Entry(string dataSource)
        {
            DataSource = dataSource;
            Handle = GCHandle.ToIntPtr(GCHandle.Alloc(this));
        }

        public string DataSource { get; }

        public IntPtr Handle { get; }

        public volatile LockWaiters? Open;

        /// <summary>A writer of this process opened the map as a background one (<see cref="WriterPriority.Background"/>).</summary>
        public volatile bool Background;
    }
}
