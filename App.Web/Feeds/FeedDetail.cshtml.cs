using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Folders;
using App.Web.Items;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary><c>/feeds/{id}</c>: a feed's items, newest first, a page at a time; "refresh now" and "mark all read".</summary>
public sealed class FeedDetailModel(
    IDbContextFactory<AppDbContext> contexts, WriteLane lane, JobQueue queue, TimeProvider time, FolderEdits folders) : PageModel
{
    public const int PageSize = FeedQueries.DefaultItemLimit;

    public FeedResponse Feed { get; private set; } = null!;

    public IReadOnlyList<ItemSummary> Items { get; private set; } = [];

    /// <summary>The user's "fetch original content" for this feed: new items get their full article loaded.</summary>
    public bool FetchOriginalContent { get; private set; }

    /// <summary>The user's folders, to move the feed into one.</summary>
    public IReadOnlyList<FolderName> Folders { get; private set; } = [];

    /// <summary>The <c>before</c> of this page; null on the newest page.</summary>
    public long? Before { get; private set; }

    public bool IsNewest => Before is null;

    /// <summary>The <c>before</c> of the next, older page; null when there is none.</summary>
    public long? OlderBefore { get; private set; }

    /// <summary>The feed's newest item when the page was made: "mark all as read" stops there, leaving later arrivals unread.</summary>
    public long? NewestItemId { get; private set; }

    /// <summary>This page's address, where a form post without JS comes back to.</summary>
    public string Here => Before is { } b ? $"/feeds/{Feed.Id}?before={b}" : $"/feeds/{Feed.Id}";

    /// <summary>Where a form post about one item comes back to: this page, at that item.</summary>
    public string ItemPlace(long itemId) => $"{Here}#item-{itemId}";

    /// <summary>A fetch that is under way or due now (the page follows it), if any; a retry waiting for its backoff is not shown.</summary>
    public JobProgressPanel RefreshPanel { get; private set; } = new(null, null, OnSuccess: "reload", Label: "Refresh progress");

    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, long? before, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.FindAsync(db, userId, id, ct) is not { } feed)
        {
            return NotFound();
        }
        // One item more than shown tells whether an older page exists.
        var items = await ItemQueries.PageAsync(db, userId, id, before, PageSize + 1, ct);
        Feed = feed;
        Folders = await db.FoldersOf(userId).OrderBy(f => f.Name).Select(f => new FolderName(f.Id, f.Name)).ToListAsync(ct);
        FetchOriginalContent = await FeedOriginalContent.IsOnAsync(db, userId, id, ct);
        Items = items.Count > PageSize ? items[..PageSize] : items;
        OlderBefore = items.Count > PageSize ? Items[^1].Id : null;
        Before = before;
        NewestItemId = before is null
            ? Items.FirstOrDefault()?.Id
            : await db.FeedItems.Where(i => i.FeedId == id).MaxAsync(i => (long?)i.Id, ct);
        if (before is null && await FeedJobs.LiveJobIdAsync(db, id, ct) is { } jobId)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var state = await db.Jobs.Where(j => j.Id == jobId && (j.State == JobState.Running || j.RunAt <= now))
                .Select(j => (JobState?)j.State)
                .FirstOrDefaultAsync(ct);
            if (state is { } s)
            {
                RefreshPanel = RefreshPanel with { JobId = jobId, State = s.ToName() };
            }
        }
        return Page();
    }

    /// <summary>Asks for a fetch now at user priority (or joins the one already waiting); a script follows it in place.</summary>
    public async Task<IActionResult> OnPostRefreshAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedRefresh.RefreshAsync(db, lane, queue, User.UserId(), id, ct) is not { } jobId)
        {
            return NotFound();
        }
        return Request.WantsJson() ? new JsonResult(new FeedJobResponse(id, jobId)) : Redirect($"/jobs/{jobId}");
    }

    /// <summary>The user's own name for the feed (empty: the feed's title again).</summary>
    public async Task<IActionResult> OnPostRenameAsync(long id, string? title, CancellationToken ct)
    {
        title = string.IsNullOrWhiteSpace(title) ? null : title.Trim();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await FeedRename.RenameAsync(db, User.UserId(), id, title is { Length: > FeedRename.MaxTitleLength } ? title[..FeedRename.MaxTitleLength] : title, ct))
        {
            return NotFound();
        }
        Message = title is null ? "The feed shows its own title again." : "Renamed.";
        return Redirect($"/feeds/{id}");
    }

    /// <summary>Turns "fetch original content" on or off for the user's subscription (from the next refresh's new items on).</summary>
    public async Task<IActionResult> OnPostFetchOriginalAsync(long id, bool on, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await FeedOriginalContent.SetAsync(db, lane, User.UserId(), id, on, ct))
        {
            return NotFound();
        }
        Message = on
            ? "New items will have their full article loaded from their page."
            : "New items keep the feed's text only.";
        return Redirect($"/feeds/{id}");
    }

    /// <summary>Puts the feed in one of the user's folders (none when <paramref name="folderId"/> is empty).</summary>
    public async Task<IActionResult> OnPostMoveAsync(long id, long? folderId, CancellationToken ct)
    {
        if (!await folders.MoveAsync(User.UserId(), id, folderId, ct))
        {
            return NotFound();
        }
        Message = folderId is null ? "The feed is in no folder now." : "Moved.";
        return Redirect($"/feeds/{id}");
    }

    /// <summary>Marks the feed's items read, up to the newest one the reader saw (<paramref name="upTo"/>).</summary>
    public async Task<IActionResult> OnPostMarkAllReadAsync(long id, long? upTo, string? returnUrl, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await FeedQueries.IsSubscribedAsync(db, userId, id, ct))
        {
            return NotFound();
        }
        var marked = await ItemMarks.MarkAllReadAsync(db, userId, id, upTo, crawledBy: null, ct);
        if (Request.WantsJson())
        {
            return new JsonResult(new { feedId = id, marked });
        }
        Message = marked == 1 ? "Marked 1 item as read." : $"Marked {marked} items as read.";
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : $"/feeds/{id}");
    }
}
