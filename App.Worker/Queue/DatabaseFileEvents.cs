using System.ComponentModel;
using System.Runtime.InteropServices;

namespace App.Worker.Queue;

/// <summary>
/// The kernel's notices (Linux inotify) that the database file or its WAL was written, read by
/// the caller when it is ready for them: notices that arrive meanwhile wait in the kernel, which
/// merges repeats, and one read takes them all.
/// </summary>
/// <remarks>
/// Not <see cref="FileSystemWatcher"/>: its thread reads every notice as it comes and raises an
/// event for it, and a commit writes the WAL a page at a time (a notice per write). With four
/// workers refreshing feeds, that thread and the wake-ups it caused took 12 % of the machine's
/// CPU (docs/feeds.md, *CPU per refresh*). Here a busy worker reads notices at its own pace.
/// The directory is watched, not the WAL itself, because the WAL is deleted when the last
/// connection closes and created again by the next.
/// </remarks>
internal sealed class DatabaseFileEvents : IDisposable
{
    private const int InNonBlock = 0x800;
    private const int InCloExec = 0x80000;
    private const uint InModify = 0x2;
    private const uint InMovedTo = 0x80;
    private const uint InCreate = 0x100;
    private const uint InQueueOverflow = 0x4000;
    private const short PollIn = 0x1;
    private const int Interrupted = 4; // EINTR
    private const int WouldBlock = 11; // EAGAIN

    // struct inotify_event: wd, mask, cookie, len, then len bytes of NUL-padded name.
    private const int EventHeader = 16;

    private readonly int _notices;
    private readonly int _interrupt;
    // The names a notice is about, as the kernel writes them (UTF-8): compared without decoding,
    // since a busy database sends thousands of notices a second.
    private readonly byte[] _file;
    private readonly byte[] _wal;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly PollFd[] _fds;

    // Interrupt may come from another thread while the owner disposes: never write to a closed
    // descriptor, whose number the process may already have given to another file.
    private readonly Lock _gate = new();
    private bool _closed;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private DatabaseFileEvents(int notices, int interrupt, string databasePath)
    {
        _notices = notices;
        _interrupt = interrupt;
        var file = Path.GetFileName(databasePath);
        _file = System.Text.Encoding.UTF8.GetBytes(file);
        _wal = System.Text.Encoding.UTF8.GetBytes(file + "-wal");
        _fds = [new PollFd { Fd = notices, Events = PollIn }, new PollFd { Fd = interrupt, Events = PollIn }];
    }

    /// <summary>Watches the directory of <paramref name="databasePath"/>; throws when the system cannot (not Linux, no inotify instances left).</summary>
    public static DatabaseFileEvents Open(string databasePath)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("change notifications are read through Linux inotify");
        }
        var notices = Check(inotify_init1(InNonBlock | InCloExec), "inotify_init1");
        var interrupt = eventfd(0, InNonBlock | InCloExec);
        if (interrupt < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            close(notices);
            throw new Win32Exception(error, "eventfd failed");
        }
        var events = new DatabaseFileEvents(notices, interrupt, databasePath);
        try
        {
            Check(inotify_add_watch(notices, Path.GetDirectoryName(Path.GetFullPath(databasePath))!, InModify | InCreate | InMovedTo), "inotify_add_watch");
            return events;
        }
        catch
        {
            events.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a write to the database or its WAL, or for
    /// <see cref="Interrupt"/>; takes every notice waiting. True when one of them was about the
    /// database (or the kernel's queue overflowed, losing some).
    /// </summary>
    public bool Wait(TimeSpan timeout)
    {
        var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        var ready = poll(_fds, 2, ms);
        if (ready < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == Interrupted ? false : throw new Win32Exception(error, "poll failed");
        }
        return ready > 0 && (_fds[0].Revents & PollIn) != 0 && Drain();
    }

    /// <summary>Ends a <see cref="Wait"/> under way, and every later one, at once.</summary>
    public void Interrupt()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                long one = 1;
                write(_interrupt, ref one, sizeof(long));
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _closed = true;
                close(_notices);
                close(_interrupt);
            }
        }
    }

    private bool Drain()
    {
        var announced = false;
        while (true)
        {
            var got = (int)read(_notices, _buffer, _buffer.Length);
            if (got < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                return error is WouldBlock or Interrupted ? announced : throw new Win32Exception(error, "reading inotify events failed");
            }
            for (var at = 0; at + EventHeader <= got;)
            {
                var mask = BitConverter.ToUInt32(_buffer, at + 4);
                var length = BitConverter.ToInt32(_buffer, at + 12);
                announced |= (mask & InQueueOverflow) != 0 || IsDatabase(_buffer.AsSpan(at + EventHeader, length));
                at += EventHeader + length;
            }
        }
    }

    private bool IsDatabase(ReadOnlySpan<byte> name)
    {
        var end = name.IndexOf((byte)0);
        var text = end < 0 ? name : name[..end];
        return text.SequenceEqual(_wal) || text.SequenceEqual(_file);
    }

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new Win32Exception(Marshal.GetLastPInvokeError(), $"{call} failed");

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_init1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, nuint count, int timeoutMs);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, ref long value, nint count);

    [DllImport("libc")]
    private static extern int close(int fd);
}
