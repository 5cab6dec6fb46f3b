using System.ComponentModel.DataAnnotations;
using App.Data;
using App.Data.Queue;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary><c>/</c>: the feeds and the form that adds one.</summary>
public sealed class FeedListModel(IDbContextFactory<AppDbContext> contexts, JobQueue queue, TimeProvider time) : PageModel
{
    [BindProperty]
    [Display(Name = "Feed address")]
    public string? Address { get; set; }

    public IReadOnlyList<FeedResponse> Feeds { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Feeds = await FeedQueries.ListAsync(db, ct);
    }

    /// <summary>A new feed goes to its first fetch's progress, a known one to its items; a bad address stays here with the reason.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!FeedUrl.TryNormalize(Address, out var url, out var error))
        {
            ModelState.AddModelError(nameof(Address), error);
            Feeds = await FeedQueries.ListAsync(db, ct);
            return Page();
        }
        var subscription = await FeedSubscriptions.SubscribeAsync(db, queue, time, url, ct);
        return subscription.Created
            ? Redirect($"/jobs/{subscription.JobId}")
            : Redirect($"/feeds/{subscription.FeedId}");
    }
}
