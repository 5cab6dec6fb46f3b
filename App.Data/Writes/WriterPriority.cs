namespace App.Data.Writes;

/// <summary>
/// Whose writes wait on SQLite's write lock for whom: a background process (a worker) does not
/// take the lock while an interactive one (the web, answering a person) waits for it.
/// </summary>
public enum WriterPriority
{
    /// <summary>Answers a person: its waits for the lock come first.</summary>
    Interactive,

    /// <summary>Works through a backlog: lets an interactive waiter have the lock first, for a bounded time.</summary>
    Background,
}
