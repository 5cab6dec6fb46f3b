namespace App.Data.Moving;

/// <summary>What a copy wrote: every table with its rows (as counted on both sides), and what it changed or left out.</summary>
public sealed record CopyReport(
    IReadOnlyList<CopiedTable> Tables,
    int RunningJobsHandedBack,
    IReadOnlyList<CopiedTable> NotCopied,
    TimeSpan Elapsed)
{
    public long TotalRows => Tables.Sum(t => t.Rows);
}

/// <summary>One table: its rows on the source, which the target holds too once the copy commits.</summary>
public sealed record CopiedTable(string Name, long Rows, TimeSpan Elapsed);
