using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace App.Data.Moving;

/// <summary>One table of the copy: its name and the columns written, as the PostgreSQL model declares them.</summary>
public sealed record CopyTable(string Name, IReadOnlyList<CopyColumn> Columns)
{
    /// <summary>The column list, quoted, for the SELECT on SQLite and the COPY on PostgreSQL alike.</summary>
    public string ColumnList => string.Join(", ", Columns.Select(c => Quote(c.Name)));

    public static string Quote(string name) => $"\"{name.Replace("\"", "\"\"")}\"";
}

/// <summary>A column and its PostgreSQL type without facets (<c>character varying</c>, not <c>character varying(200)</c>).</summary>
public sealed record CopyColumn(string Name, string StoreType);

/// <summary>
/// Which tables the copy writes, in an order that puts every table after the tables its foreign
/// keys point at (the target's constraints are checked row by row), and which it leaves out.
/// Built from the model, so that a table added later is copied without anyone remembering to.
/// </summary>
public sealed class CopyPlan
{
    /// <summary>
    /// Not copied: the worker processes that were registered against the SQLite file. They are
    /// gone (the copy is taken with the app stopped), and each worker on PostgreSQL registers itself.
    /// </summary>
    public static readonly IReadOnlyList<string> Skipped = ["Workers"];

    /// <summary>
    /// Filled by the migrations (the finished-job counts start at 0 per state): the copy replaces
    /// their rows, and they do not make a target count as not empty.
    /// </summary>
    public static readonly IReadOnlyList<string> Seeded = ["JobStateCounts"];

    private CopyPlan(IReadOnlyList<CopyTable> tables)
    {
        Tables = tables;
    }

    /// <summary>The tables copied, principals before dependents.</summary>
    public IReadOnlyList<CopyTable> Tables { get; }

    /// <summary>The plan for the model of <paramref name="postgres"/> (a context on PostgreSQL).</summary>
    public static CopyPlan For(AppDbContext postgres)
    {
        // The design-time model: the runtime one leaves out what only migrations need.
        var model = postgres.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var tables = model.Tables.Where(t => !Skipped.Contains(t.Name)).ToList();
        return new CopyPlan([.. InDependencyOrder(tables).Select(Describe)]);
    }

    private static CopyTable Describe(ITable table) => new(
        table.Name,
        [.. table.Columns
            // A generated column (a search vector, say) is the target's to compute.
            .Where(c => c.ComputedColumnSql is null)
            .Select(c => new CopyColumn(c.Name, WithoutFacets(c.StoreType)))]);

    private static string WithoutFacets(string storeType) =>
        storeType.IndexOf('(', StringComparison.Ordinal) is var open and >= 0 ? storeType[..open].Trim() : storeType;

    private static IEnumerable<ITable> InDependencyOrder(List<ITable> tables)
    {
        var done = new HashSet<string>();
        var left = tables.ToList();
        while (left.Count > 0)
        {
            var ready = left.Where(t => t.ForeignKeyConstraints
                .All(fk => fk.PrincipalTable.Name == t.Name || done.Contains(fk.PrincipalTable.Name) || !tables.Contains(fk.PrincipalTable)))
                .ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException(
                    $"The tables {string.Join(", ", left.Select(t => t.Name))} refer to each other in a cycle: no copy order exists.");
            }
            foreach (var table in ready)
            {
                done.Add(table.Name);
                left.Remove(table);
                yield return table;
            }
        }
    }
}
