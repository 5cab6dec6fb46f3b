using System.ComponentModel.DataAnnotations;
using App.Data;
using App.Data.Accounts;
using App.Web.Accounts;
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

    /// <summary>The user's folders by name.</summary>
    public IReadOnlyList<FolderName> Folders { get; private set; } = [];

    /// <summary>The feeds by folder: each folder (empty ones too), then the feeds in none.</summary>
    public IEnumerable<FeedGroup> Groups =>
        Folders.Select(f => new FeedGroup(f, [.. Feeds.Where(x => x.FolderId == f.Id)]))
            .Append(new FeedGroup(null, [.. Feeds.Where(x => x.FolderId is null)]));

    /// <summary>Every unread item of the user's feeds: the sum of the feeds' counts, with no query of its own.</summary>
    public int UnreadTotal => Feeds.Sum(f => f.UnreadCount);

    /// <summary>The outcome of an action elsewhere (a deleted feed), shown once.</summary>
    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Feeds = await FeedQueries.ListAsync(db, User.UserId(), ct);
        Folders = await db.FoldersOf(User.UserId()).OrderBy(f => f.Name).Select(f => new FolderName(f.Id, f.Name)).ToListAsync(ct);
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
            await OnGetAsync(ct);
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

/// <summary>A folder of the feeds list (null: the feeds in no folder) with its feeds; its unread count is theirs summed.</summary>
public sealed record FeedGroup(FolderName? Folder, IReadOnlyList<FeedResponse> Feeds)
{
    public int UnreadCount => Feeds.Sum(f => f.UnreadCount);
}
