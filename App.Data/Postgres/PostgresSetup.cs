using App.Data.Accounts;
using App.Data.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace App.Data.Postgres;

/// <summary>
/// Every PostgreSQL specific of the setup in one place: the data source (Npgsql's pool, shared by
/// EF Core and the queue's own commands) and EF Core's options, with the migrations kept in their
/// own assembly (<see cref="MigrationsAssembly"/>), as EF Core does for a second provider.
/// </summary>
public static class PostgresSetup
{
    /// <summary>The assembly holding the PostgreSQL migrations (App.Data holds the SQLite ones).</summary>
    public const string MigrationsAssembly = "App.Data.Postgres";

    /// <summary>
    /// The collation that stands in for SQLite's NOCASE: ICU's comparison at strength 2 (case is
    /// ignored, accents are not), nondeterministic so that "Alice" and "alice" are one key of a
    /// unique index, as they are on SQLite.
    /// </summary>
    public const string CaseInsensitiveCollation = "case_insensitive";

    /// <summary>
    /// A data source for <paramref name="connectionString"/>. Statements the app runs again and
    /// again (the queue's) are prepared on each pooled connection after their second use, and JIT
    /// compilation is off, unless the connection string says otherwise (<c>Options=-c jit=on</c>).
    /// </summary>
    public static NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        // JIT compiles a statement whose estimated cost passes jit_above_cost before running it:
        // 16-46 ms a statement on the feeds list's counts and on searches over many items, more than
        // the statements themselves take once their pages are cached. Measured on 1,000,000 items
        // (reader-rivers-postgres and pgbench, docs/benchmarks.md, 2026-12-01): the feeds list's
        // statements 77 / 199 ms p50 / p95 with JIT, 63 / 157 without; searches for a word in every
        // item 404 ms p50 with, 119 without; the river pages alike within the noise. PgBouncer 1.20+
        // refuses an `options` it does not track: docs/postgres.md says what to set there instead.
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.Options = ("-c jit=off " + builder.Options).Trim();
        }
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    /// <summary>Configures EF Core for PostgreSQL through <paramref name="dataSource"/>.</summary>
    /// <remarks>EF Core's error entries for a failed command are lowered to Debug, as on SQLite (the code that handles the error logs it once).</remarks>
    public static DbContextOptionsBuilder Apply(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, o => o.MigrationsAssembly(MigrationsAssembly))
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    /// <summary>
    /// The model's PostgreSQL differences: NOCASE columns take <see cref="CaseInsensitiveCollation"/>,
    /// and the jobs table is vacuumed as a queue's churn needs.
    /// </summary>
    internal static void Adapt(ModelBuilder model)
    {
        // Every job row is updated two or three times (claim, complete; renewals) and deleted after
        // its retention: dead tuples pile up at the rate jobs pass. The default (vacuum at 20 % of
        // the table dead) lets a 1,000,000-row table carry 200,000 dead rows that every claim's
        // index walk steps over; at 1 % plus 1,000 rows and with no cost delay, autovacuum keeps
        // up. The fillfactor stays at 100: each of those updates changes an indexed column (State
        // or LeaseExpiresAt), so none is a HOT update that free room on the page would serve.
        model.Entity<Job>()
            .HasStorageParameter("autovacuum_vacuum_scale_factor", 0.01)
            .HasStorageParameter("autovacuum_vacuum_threshold", 1000)
            .HasStorageParameter("autovacuum_vacuum_cost_delay", 0)
            .HasStorageParameter("autovacuum_analyze_scale_factor", 0.02);
        // The feeds list counts each feed's unread rows with index-only scans of UnreadItems, which
        // visit the table for every row on a page not marked all-visible: 29-40 ms p50 with the map
        // set, 97-134 without (1,000,000 items, docs/benchmarks.md). Marking read deletes rows
        // spread over the reader's pages and a refresh adds rows at the end, each clearing its
        // page's mark, and only a VACUUM sets it again. The defaults wait for 20 % of the table
        // (rows dead or inserted); at 2 % autovacuum comes by before most pages have lost it: after
        // 30,000 of 600,000 rows read and 10,000 added, 58-94 ms with the defaults (no autovacuum
        // within two naptimes), 32-50 with these.
        model.Entity<UnreadItem>()
            .HasStorageParameter("autovacuum_vacuum_scale_factor", 0.02)
            .HasStorageParameter("autovacuum_vacuum_insert_scale_factor", 0.02);
        model.HasCollation(CaseInsensitiveCollation, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        foreach (var property in model.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            if (string.Equals(property.GetCollation(), "NOCASE", StringComparison.OrdinalIgnoreCase))
            {
                property.SetCollation(CaseInsensitiveCollation);
            }
        }
    }
}
