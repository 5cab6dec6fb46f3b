using System.ComponentModel.DataAnnotations;

namespace App.Worker.Articles;

/// <summary>Settings under <c>Articles:</c>, for "fetch original content" (the fetch-article job).</summary>
public sealed class ArticleOptions
{
    public const string Section = "Articles";

    /// <summary>
    /// At most this many of one refresh's new items get a fetch-article job (the newest): a feed that
    /// publishes a burst, or comes back after months, does not send a flood of requests to its site.
    /// The rest keep the feed's text and can be loaded from their page.
    /// </summary>
    [Range(0, 1000)]
    public int MaxPerRefresh { get; set; } = 20;

    /// <summary>
    /// Largest article page read, enforced while reading (and never more than Feeds:MaxResponseBytes):
    /// a page is parsed into a whole DOM, so its size is what the extraction costs.
    /// </summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxPageBytes { get; set; } = 4 * 1024 * 1024;
}
