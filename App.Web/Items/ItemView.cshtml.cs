using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// <c>/items/{id}</c>: one item to read. Opening it marks it read, as a reader expects; the
/// write is idempotent (a read item stays read), so a reload or prefetch does no harm. When its
/// full article was loaded (fetch original content) the page shows that, with a switch back to the
/// feed's text (<c>?text=feed</c>); "Load full article" queues the job and follows it in place.
/// </summary>
public sealed class ItemViewModel(IDbContextFactory<AppDbContext> contexts, WriteLane lane, JobQueue queue, TimeProvider time) : PageModel
{
    public ItemDetail Item { get; private set; } = null!;

    /// <summary><c>feed</c>: the feed's own text even when the full article was loaded.</summary>
    [FromQuery(Name = "text")]
    public string? Text { get; set; }

    /// <summary>Whether the page shows the loaded article rather than the feed's text.</summary>
    public bool ShowsArticle => Item.ArticleHtml is not null && Text != "feed";

    /// <summary>The article's fetch while it is queued or running (the page follows it), else an empty panel for the button's script.</summary>
    public JobProgressPanel ArticlePanel { get; private set; } = new(null, null, OnSuccess: "reload", Label: "Full article progress");

    /// <summary>Why the last attempt to load the full article failed, when it did and none is stored since.</summary>
    public string? ArticleError { get; private set; }

    [TempData]
    public string? Message { get; set; }

    /// <summary>This item with the feed's text (<paramref name="feedText"/>) or the full article.</summary>
    public string TextLink(bool feedText)
    {
        var link = ItemLink(Item.Id);
        return feedText ? link + (link.Contains('?') ? "&" : "?") + "text=feed" : link;
    }

    /// <summary>
    /// Where "back", "mark unread" and "u" lead: the river the item was opened from (<c>from</c>,
    /// a local address), else the feed page, at this item.
    /// </summary>
    public string FeedPlace => (Url.IsLocalUrl(From) ? From : $"/feeds/{Item.FeedId}") + $"#item-{Item.Id}";

    /// <summary>The river the item was opened from, kept on newer/older links.</summary>
    [FromQuery(Name = "from")]
    public string? From { get; set; }

    /// <summary>An item link that keeps <see cref="From"/>.</summary>
    public string ItemLink(long id) => Url.IsLocalUrl(From) ? $"/items/{id}?from={Uri.EscapeDataString(From!)}" : $"/items/{id}";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await ItemQueries.DetailAsync(db, userId, id, ct) is not { } item)
        {
            return NotFound();
        }
        if (!item.IsRead)
        {
            await ItemReadState.SetReadAsync(db, lane, userId, id, read: true, ct);
            item = item with { IsRead = true };
        }
        Item = item;
        if (await ArticleJobs.LatestAsync(db, item.FeedId, id, ct) is { } job)
        {
            if (job.State is JobState.Pending or JobState.Running)
            {
                ArticlePanel = ArticlePanel with { JobId = job.Id, State = job.State.ToName() };
            }
            else if (job.State is JobState.Failed && (item.ArticleFetchedAt is null || job.FinishedAt > item.ArticleFetchedAt))
            {
                ArticleError = job.LastError;
            }
        }
        return Page();
    }

    /// <summary>
    /// "Load full article": queues the item's fetch-article job at user priority (or joins the one
    /// queued); a script follows it in place, a form post comes back to the item, which shows the job.
    /// </summary>
    public async Task<IActionResult> OnPostArticleAsync(long id, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (outcome, jobId) = await ItemArticle.RequestAsync(db, lane, queue, User.UserId(), id, ct);
        if (outcome == ArticleRequestOutcome.NotFound)
        {
            return NotFound();
        }
        var back = Url.IsLocalUrl(returnUrl) ? returnUrl : $"/items/{id}";
        if (outcome == ArticleRequestOutcome.NoLink)
        {
            const string noLink = "This item has no web address to load an article from.";
            if (Request.WantsJson())
            {
                return BadRequest(new { message = noLink });
            }
            Message = noLink;
            return Redirect(back);
        }
        return Request.WantsJson() ? new JsonResult(new ItemArticleJobResponse(id, jobId)) : Redirect(back);
    }

    /// <summary>Marks the item read or unread; a script gets JSON, a form post goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostReadAsync(long id, bool read, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await ItemReadState.SetReadAsync(db, lane, User.UserId(), id, read, ct))
        {
            return NotFound();
        }
        if (Request.WantsJson())
        {
            return new JsonResult(new { id, read });
        }
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : $"/items/{id}");
    }

    /// <summary>Stars or unstars the item; a script gets JSON, a form post goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostStarAsync(long id, bool starred, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await ItemReadState.SetStarredAsync(db, lane, User.UserId(), id, starred, time.GetUtcNow().UtcDateTime, ct))
        {
            return NotFound();
        }
        if (Request.WantsJson())
        {
            return new JsonResult(new { id, starred });
        }
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : $"/items/{id}");
    }
}
