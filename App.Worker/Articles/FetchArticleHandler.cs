using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Articles;

/// <summary>
/// The fetch-article job ("fetch original content"): the page at the item's link, through the
/// feeds' own <see cref="FeedFetcher"/> (private addresses refused, redirects checked hop by hop,
/// its connections per host, Feeds:FetchTimeout) with a page's size limit, reduced to its readable
/// article (<see cref="ArticleExtractor"/>) and stored sanitized beside the feed's text. A failure
/// is the job's readable error and nothing else: the item keeps the feed's text, and the feed is not
/// marked as failing for one page of its site.
/// </summary>
public sealed class FetchArticleHandler(
    IDbContextFactory<AppDbContext> contexts,
    FeedFetcher fetcher,
    ArticleExtractor extractor,
    IOptions<ArticleOptions> articles,
    IOptions<FeedOptions> feeds,
    TimeProvider time,
    ILogger<FetchArticleHandler> log) : IJobHandler
{
    /// <summary>What the request asks for: a web page, as a browser would.</summary>
    private const string PageTypes = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

    /// <summary>Time for the extraction and the write once the page is in: a large page parsed on a busy machine, several times over.</summary>
    private static readonly TimeSpan ProcessingAllowance = TimeSpan.FromSeconds(20);

    public string Type => ArticleJobs.FetchArticle;

    /// <summary>The fetch times out first, with its own message; the job's timeout bounds the extraction.</summary>
    public TimeSpan Timeout => feeds.Value.FetchTimeout + ProcessingAllowance;

    public async Task RunAsync(JobRun run, CancellationToken ct)
    {
        var itemId = ArticleJobs.ItemIdOf(run.Job.Payload);
        string? link;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            link = await db.FeedItems.Where(i => i.Id == itemId).Select(i => i.Link).SingleOrDefaultAsync(ct);
            if (link is null && !await db.FeedItems.AnyAsync(i => i.Id == itemId, ct))
            {
                // Purged or its feed deleted since the job was queued: nothing is left to do.
                log.LogInformation("Item {ItemId} no longer exists", itemId);
                return;
            }
        }
        if (!ArticleJobs.IsWebLink(link))
        {
            await run.FailAsync("The item has no web address to load the article from.", retryable: false, null, ct, reason: "bad_url");
            return;
        }
        FetchedDocument page;
        try
        {
            var max = Math.Min(articles.Value.MaxPageBytes, feeds.Value.MaxResponseBytes);
            page = await fetcher.FetchAsync(new Uri(link!), ct, maxBytes: max, accept: PageTypes);
        }
        catch (FeedException e)
        {
            // The fetcher's reasons (a status, a blocked address, too large, a timeout) say what went wrong; retryable ones are tried once more.
            await run.FailAsync($"The article could not be loaded: {e.Message}", e.Retryable, null, ct,
                retryNotBefore: e.RetryNotBefore, reason: e.Reason);
            return;
        }
        ArticleResult article;
        using (page.Body)
        {
            article = extractor.Extract(page);
        }
        if (article.Html is not { } html)
        {
            await run.FailAsync(article.Error ?? "No article was found.", retryable: false, null, ct, reason: "not_readable");
            return;
        }
        var now = time.GetUtcNow().UtcDateTime;
        await run.CompleteAsync((db, c) => db.FeedItems.Where(i => i.Id == itemId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ArticleHtml, html).SetProperty(i => i.ArticleFetchedAt, now), c), ct);
    }
}
