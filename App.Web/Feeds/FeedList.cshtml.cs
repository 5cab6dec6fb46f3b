using System.ComponentModel.DataAnnotations;
using App.Data;
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
        var page = await FeedQueries.PageAsync(db, User.UserId(), after, FeedQueries.DefaultFeedLimit, ct);
        Feeds = page.Feeds;
        NextAfter = page.NextAfter;
        IsLaterPage = after is not null;
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
