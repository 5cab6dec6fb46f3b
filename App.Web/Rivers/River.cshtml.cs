using App.Data;
using App.Data.Accounts;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Feeds;
using App.Web.Items;
using App.Web.Search;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Rivers;

/// <summary>
/// A river: the items of many feeds merged, a page at a time. <c>/unread</c> (everything unread),
/// <c>/all</c>, <c>/starred</c>, <c>/folders/{id}</c> (a folder's unread items; <c>?show=all</c>
/// also the read ones) and <c>/search?q=</c> (the items whose title or text matches, read or not). <c>?order=oldest</c> reads oldest first; <c>before</c>/<c>after</c> page
/// by item id. Opening an item marks it read; "mark all as read" stops at the newest item shown.
/// </summary>
public sealed class RiverModel(IDbContextFactory<AppDbContext> contexts, WriteLane lane) : PageModel
{
    public const int PageSize = FeedQueries.DefaultItemLimit;

    /// <summary>The routes this page answers besides its own (<c>/unread</c>), added in <see cref="WebSetup"/>.</summary>
    public static readonly string[] OtherRoutes = ["all", "starred", "folders/{folderId:long}", "search"];

    public string Title { get; private set; } = "";

    /// <summary>Which river this is: "unread", "all", "starred", "folder" or "search".</summary>
    public string Kind { get; private set; } = "";

    public long? FolderId { get; private set; }

    /// <summary>A folder's river shows its read items too.</summary>
    public bool ShowAll { get; private set; }

    public bool OldestFirst { get; private set; }

    /// <summary>What the search river looks for, as typed.</summary>
    public string? Query { get; private set; }

    /// <summary>Why the search found nothing when the reason is the search itself (empty, unreadable).</summary>
    public string? SearchError { get; private set; }

    public IReadOnlyList<ItemSummary> Items { get; private set; } = [];

    /// <summary>The cursor of this page; null on the first.</summary>
    public long? Cursor { get; private set; }

    /// <summary>The cursor of the next page; null when there is none.</summary>
    public long? NextCursor { get; private set; }

    /// <summary>Where "mark all as read" stops: the newest item shown (newest first: the river's newest).</summary>
    public long? UpToItemId { get; private set; }

    /// <summary>The river's unread items, for the count in its header.</summary>
    public int UnreadCount { get; private set; }

    /// <summary>The address of this river with the given cursor (and this page's order and show).</summary>
    public string Address(long? cursor = null)
    {
        var path = Kind == "folder" ? $"/folders/{FolderId}" : "/" + Kind;
        var query = new List<string>();
        if (Kind == "search")
        {
            query.Add("q=" + Uri.EscapeDataString(Query ?? ""));
        }
        if (ShowAll)
        {
            query.Add("show=all");
        }
        if (OldestFirst)
        {
            query.Add("order=oldest");
        }
        if (cursor is { } c)
        {
            query.Add((OldestFirst ? "after=" : "before=") + c);
        }
        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }

    /// <summary>This page's address, where posts come back to and the item page's "back" returns.</summary>
    public string Here => Address(Cursor);

    /// <summary>Where a form post about one item comes back to: this page, at that item.</summary>
    public string ItemPlace(long itemId) => $"{Here}#item-{itemId}";

    /// <summary>The same river in the other order, from its start.</summary>
    public string OtherOrder => OldestFirst ? Address() : (Address() + (Address().Contains('?') ? "&" : "?") + "order=oldest");

    /// <summary>The folder's river with or without its read items.</summary>
    public string OtherShow => ShowAll ? $"/folders/{FolderId}" : $"/folders/{FolderId}?show=all";

    public bool CanMarkAllRead => Kind is not ("starred" or "search");

    // Written out: with four routes to one page, the tag helper's generated address came out empty.
    public string MarkAllAction => Kind == "folder" ? $"/folders/{FolderId}?handler=MarkAllRead" : "/unread?handler=MarkAllRead";

    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(long? folderId, string? show, string? order, long? before, long? after, string? q, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await DescribeAsync(db, userId, folderId, show, q) is not { } filter)
        {
            return NotFound();
        }
        OldestFirst = order == "oldest";
        Cursor = OldestFirst ? after : before;
        if (SearchError is not null)
        {
            return Page();
        }
        // One item more than shown tells whether a next page exists.
        var items = await RiverQueries.PageAsync(db, userId, filter, Cursor, OldestFirst, PageSize + 1, ct);
        Items = items.Count > PageSize ? items[..PageSize] : items;
        NextCursor = items.Count > PageSize ? Items[^1].Id : null;
        UpToItemId = !CanMarkAllRead ? null
            : OldestFirst ? Items.LastOrDefault()?.Id
            : Cursor is null ? Items.FirstOrDefault()?.Id : await RiverQueries.NewestAsync(db, userId, filter, ct);
        var unread = db.UnreadOf(userId);
        if (FolderId is { } folder)
        {
            unread = unread.Where(u => db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == u.FeedId && s.FolderId == folder));
        }
        UnreadCount = await unread.CountAsync(ct);
        return Page();
    }

    /// <summary>Marks the river's unread items read, up to <paramref name="upTo"/> (the newest the reader saw).</summary>
    public async Task<IActionResult> OnPostMarkAllReadAsync(long? folderId, long? upTo, string? returnUrl, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (folderId is { } folder && !await db.FoldersOf(userId).AnyAsync(f => f.Id == folder, ct))
        {
            return NotFound();
        }
        int marked;
        using (await lane.EnterAsync(ct))
        {
            marked = await ItemMarks.MarkAllReadAsync(db, userId, feedId: null, upTo, crawledBy: null, ct, folderId);
        }
        if (Request.WantsJson())
        {
            return new JsonResult(new { marked });
        }
        Message = marked == 1 ? "Marked 1 item as read." : $"Marked {marked} items as read.";
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/unread");
    }

    private async Task<ItemFilter?> DescribeAsync(AppDbContext db, long userId, long? folderId, string? show, string? q)
    {
        if (folderId is { } id)
        {
            var name = await db.FoldersOf(userId).Where(f => f.Id == id).Select(f => f.Name).FirstOrDefaultAsync();
            if (name is null)
            {
                return null;
            }
            (Kind, FolderId, ShowAll, Title) = ("folder", id, show == "all", name);
            return new ItemFilter(Unread: ShowAll ? null : true, FolderId: id);
        }
        var path = Request.Path.Value?.Trim('/') ?? "";
        if (path == "search")
        {
            (Kind, Query) = ("search", q?.Trim() ?? "");
            Title = Query.Length == 0 ? "Search" : $"Search: {Query}";
            var search = Query.Length <= SearchQuery.MaxLength ? SearchQuery.Parse(Query) : null;
            SearchError = Query.Length > SearchQuery.MaxLength ? $"A search is at most {SearchQuery.MaxLength} characters."
                : search is null ? "Type a word to search for in the titles and text of your feeds' items."
                : search.Error;
            return new ItemFilter(Search: search);
        }
        (Kind, Title) = path switch
        {
            "all" => ("all", "All items"),
            "starred" => ("starred", "Starred"),
            _ => ("unread", "All unread"),
        };
        return Kind switch
        {
            "all" => new ItemFilter(),
            "starred" => new ItemFilter(Starred: true),
            _ => new ItemFilter(Unread: true),
        };
    }
}
