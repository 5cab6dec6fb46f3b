using System.Data.Common;

namespace App.Data.Writes;

/// <summary>
/// A connection for hot writes (the queue's claims and completions, the web's grouped
/// subscriptions): kept open, each statement prepared once. Not thread-safe: <see cref="WriteLane"/>
/// hands one out only inside a write transaction, to one writer at a time. Each engine opens and
/// commits in its own way (<c>Sqlite/SqliteWriteConnection</c>, <c>Postgres/PostgresWriteConnection</c>).
/// </summary>
public abstract class WriteConnection
{
    /// <summary>The engine this connection writes to: the statements a caller prepares depend on it.</summary>
    public abstract DatabaseEngine Engine { get; }

    /// <summary>How long the last committed transaction took, from BEGIN to the end of COMMIT (on SQLite: held the write lock).</summary>
    internal TimeSpan LastLockHeld { get; private protected set; }

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it; rolls back on an exception.</summary>
    internal abstract T InWriteTransaction<T>(Func<WriteConnection, T> work);

    /// <summary>The prepared command for <paramref name="sql"/>, parameters cleared.</summary>
    public abstract DbCommand Statement(string sql);

    /// <summary>Closes the connection; the next use opens it again.</summary>
    internal abstract void Close();
}
