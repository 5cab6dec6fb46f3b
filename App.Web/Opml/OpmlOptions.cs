using System.ComponentModel.DataAnnotations;

namespace App.Web.Opml;

/// <summary>Settings under <c>Opml</c>: how much one import may bring in.</summary>
public sealed class OpmlOptions
{
    public const string Section = "Opml";

    /// <summary>
    /// Feeds (outlines with an <c>xmlUrl</c>) one file may list. 5,000 is about twice the largest
    /// exports readers' users report, and the scale the benchmarks measure the feeds list, the
    /// export and the refresh schedule at; a file over it is refused whole, with its count.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxOutlines { get; set; } = 5_000;
}
