using Npgsql;

namespace App.Data.Queue;

/// <summary>
/// Where an idle worker LISTENs for <see cref="JobNotifications"/>: its own connection, outside
/// the pool, for the life of the worker. <c>ConnectionStrings:Listener</c> may name another route
/// to the same server than <c>ConnectionStrings:Default</c>: behind PgBouncer in transaction mode,
/// which hands each transaction a different server connection and so loses a LISTEN, the listener
/// must connect to PostgreSQL directly.
/// </summary>
public sealed record ListenerConnection(string ConnectionString)
{
    /// <summary>The listener's connection string: <paramref name="listener"/> when given, else the app's, never pooled.</summary>
    public static ListenerConnection Of(string connectionString, string? listener) =>
        new(new NpgsqlConnectionStringBuilder(listener ?? connectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString);
}
