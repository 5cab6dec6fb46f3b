using System.ComponentModel.DataAnnotations;
using App.Data;
using App.Data.Accounts;
using App.Web.Accounts;
using App.Web.Folders;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary><c>/</c>: the user's feeds and the form that adds one.</summary>
public sealed class FeedListModel(IDbContextFactory<AppDbContext> contexts, FeedSubscriber subscriber) : PageModel
{
    [BindProperty]
    [Display(Name = "Feed address")]
    public string? Address { get; set; }

    public IReadOnlyList<FeedResponse> Feeds { get; private set; } = [];

    /// <summary>The user's folders by name, each with its feed and unread counts (over all its feeds, not this page's).</summary>
    public IReadOnlyList<FolderResponse> Folders { get; private set; } = [];

    /// <summary>This page's feeds by folder, in the list's order; empty folders where their names fall; then the feeds in none.</summary>
    public IReadOnlyList<FeedGroup> Groups { get; private set; } = [];

    /// <summary>Every unread item of the user's feeds.</summary>
    public int UnreadTotal { get; private set; }

    /// <summary>The <c>after</c> of the next page of feeds, null on the last (or only) page.</summary>
    public long? NextAfter { get; private set; }

    /// <summary>Whether this is a later page (<c>?after=</c>), which links back to the first.</summary>
    public bool IsLaterPage { get; private set; }

    /// <summary>The outcome of an action elsewhere (a deleted feed), shown once.</summary>
    [TempData]
    public string? Message { get; set; }

    /// <summary>A page of <see cref="FeedQueries.DefaultFeedLimit"/> feeds after feed <paramref name="after"/>, with a link to the next.</summary>
    public async Task OnGetAsync(long? after, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var userId = User.UserId();
        var page = await FeedQueries.GroupedPageAsync(db, userId, after, FeedQueries.DefaultFeedLimit, ct);
        Feeds = page.Feeds;
        NextAfter = page.NextAfter;
        IsLaterPage = after is not null;
        Folders = await FolderQueries.ListAsync(db, userId, ct);
        UnreadTotal = await db.UnreadItems.CountAsync(u => u.UserId == userId, ct);
        Groups = FeedGroup.Of(Folders, Feeds, IsLaterPage, NextAfter is null);
    }

    /// <summary>
    /// A new feed goes to its first fetch's progress, a known one to its items; a bad address stays
    /// here with the reason. add-feed.js gets the same outcomes as JSON and shows them in place.
    /// </summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!FeedUrl.TryNormalize(Address, out var url, out var error))
        {
            if (Request.WantsJson())
            {
                return BadRequest(new AddFeedError(nameof(Address), error));
            }
            ModelState.AddModelError(nameof(Address), error);
            await OnGetAsync(null, ct);
            return Page();
        }
        var subscription = await subscriber.SubscribeAsync(User.UserId(), url, ct);
        if (Request.WantsJson())
        {
            return new JsonResult(new AddFeedOutcome(subscription.FeedId, subscription.HasNewFetch ? subscription.JobId : null, subscription.HasNewFetch));
        }
        return subscription.HasNewFetch
            ? Redirect($"/jobs/{subscription.JobId}")
            : Redirect($"/feeds/{subscription.FeedId}");
    }
}

/// <summary>The add form's answer to a script: the feed, and the fetch to follow when there is one (<paramref name="Created"/>).</summary>
public sealed record AddFeedOutcome(long FeedId, long? JobId, bool Created);

/// <summary>The add form's refusal to a script: which field and why.</summary>
public sealed record AddFeedError(string Field, string Message);

/// <summary>A folder's id and name.</summary>
public sealed record FolderName(long Id, string Name);

/// <summary>A folder of the feeds list (null: the feeds in no folder) with this page's feeds in it.</summary>
public sealed record FeedGroup(FolderResponse? Folder, IReadOnlyList<FeedResponse> Feeds)
{
    /// <summary>
    /// The groups of one page of feeds in the grouped order: each folder with feeds on the page,
    /// and each empty folder whose name falls between the page's first and last folder (the first
    /// page takes those before, the last those after), so every folder shows on exactly one page.
    /// </summary>
    public static IReadOnlyList<FeedGroup> Of(IReadOnlyList<FolderResponse> folders, IReadOnlyList<FeedResponse> feeds, bool laterPage, bool lastPage)
    {
        var names = StringComparer.OrdinalIgnoreCase;
        var byFolder = feeds.Where(f => f.FolderId is not null).GroupBy(f => f.FolderId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var firstName = feeds.Count == 0 ? null : folders.FirstOrDefault(f => f.Id == feeds[0].FolderId)?.Name;
        var lastName = feeds.Count == 0 ? null : folders.FirstOrDefault(f => f.Id == feeds[^1].FolderId)?.Name;
        // A page that starts or ends among the feeds in no folder reaches past every folder name.
        var afterStart = (FolderResponse f) => !laterPage || (firstName is not null && names.Compare(f.Name, firstName) > 0);
        var beforeEnd = (FolderResponse f) => lastPage || lastName is null || names.Compare(f.Name, lastName) < 0;
        var groups = new List<FeedGroup>();
        foreach (var folder in folders)
        {
            if (byFolder.TryGetValue(folder.Id, out var inFolder))
            {
                groups.Add(new FeedGroup(folder, inFolder));
            }
            else if (folder.FeedCount == 0 && afterStart(folder) && beforeEnd(folder))
            {
                groups.Add(new FeedGroup(folder, []));
            }
        }
        var unfiled = feeds.Where(f => f.FolderId is null).ToList();
        if (unfiled.Count > 0)
        {
            groups.Add(new FeedGroup(null, unfiled));
        }
        return groups;
    }
}
