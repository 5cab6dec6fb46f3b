using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace App.Data.Sqlite;

/// <summary>
/// Whether a connection of this process holds a SQLite write lock now: every connection that
/// took one (BEGIN IMMEDIATE, raw or EF Core's) is noted, and is asked whether its transaction
/// is still open when someone wants to know. Nothing has to be told when a transaction ends
/// (commit, rollback, a disposed transaction, a closed connection), so nothing can be left
/// counted by a path that forgot to.
/// </summary>
/// <remarks>
/// For work that stops every thread of the process, a forced garbage collection: done while
/// this process holds the lock, every other process's writes wait through it as well.
/// </remarks>
public static class LockHolders
{
    private static readonly ConcurrentDictionary<SqliteConnection, byte> Took = new();

    // A process that never asks (the web) would keep every connection it ever wrote with: past
    // this many, those whose transaction is over are let go at the next BEGIN.
    private const int PruneAbove = 64;

    /// <summary><paramref name="connection"/> began a write transaction.</summary>
    internal static void Began(SqliteConnection connection)
    {
        if (Took.TryAdd(connection, 0) && Took.Count > PruneAbove)
        {
            _ = AnyHeld;
        }
    }

    /// <summary>Whether a connection of this process is inside a write transaction now (and lets go of those that are not).</summary>
    public static bool AnyHeld
    {
        get
        {
            var any = false;
            // The enumerator, not Keys: Keys takes every lock of the dictionary to copy them.
            foreach (var (connection, _) in Took)
            {
                if (InTransaction(connection))
                {
                    any = true;
                }
                else
                {
                    // Taken again at its next BEGIN, if it has one.
                    Took.TryRemove(connection, out _);
                }
            }
            return any;
        }
    }

    /// <summary>How many connections are noted now (for tests).</summary>
    internal static int Noted => Took.Count;

    /// <summary>Whether <paramref name="connection"/> took the lock and still holds it.</summary>
    internal static bool Holds(SqliteConnection connection) => Took.ContainsKey(connection) && InTransaction(connection);

    private static bool InTransaction(SqliteConnection connection)
    {
        try
        {
            return connection.Handle is { IsInvalid: false, IsClosed: false } handle && SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
