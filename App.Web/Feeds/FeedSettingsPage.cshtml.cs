using System.ComponentModel.DataAnnotations;
using System.Globalization;
using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Web.Feeds;

/// <summary>
/// <c>/feeds/{id}/settings</c>: the user's own name for the feed, and how the feed is fetched
/// (refresh interval, user agent, disabled) for whoever may change that (<see cref="FeedSettingsEdits"/>);
/// to others the fetch settings are shown, not offered.
/// </summary>
public sealed class FeedSettingsPageModel(
    IDbContextFactory<AppDbContext> contexts, FeedSettingsEdits edits, IOptions<FeedRefreshOptions> options) : PageModel
{
    public FeedResponse Feed { get; private set; } = null!;

    /// <summary>The feed's own title, shown when the user gives it no name of their own.</summary>
    public string? FeedTitle { get; private set; }

    /// <summary>Whether this user may change how the feed is fetched (an administrator, or its only subscriber).</summary>
    public bool MayChangeFetch { get; private set; }

    /// <summary><c>Feeds:RefreshInterval</c> in whole minutes, what an empty interval means.</summary>
    public int DefaultMinutes => (int)Math.Round(options.Value.RefreshInterval.TotalMinutes);

    [BindProperty]
    [Display(Name = "Your name for this feed")]
    public string? Title { get; set; }

    /// <summary>Text, not a number: "abc" gets a sentence of ours rather than the model binder's.</summary>
    [BindProperty]
    [Display(Name = "Refresh every (minutes)")]
    public string? RefreshIntervalMinutes { get; set; }

    [BindProperty]
    [Display(Name = "User agent")]
    public string? UserAgent { get; set; }

    [BindProperty]
    [Display(Name = "Disabled: do not refresh this feed in the background")]
    public bool Disabled { get; set; }

    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        Title = OwnTitle;
        RefreshIntervalMinutes = Feed.RefreshIntervalMinutes?.ToString(CultureInfo.InvariantCulture);
        UserAgent = Feed.UserAgent;
        Disabled = Feed.Disabled;
        return Page();
    }

    /// <summary>
    /// Stores the form, all of it or (with a message at each field that cannot be stored, and a
    /// 400) none of it. The fetch fields count only from a user who may change them.
    /// </summary>
    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        var request = new UpdateFeedRequest { Title = Title };
        if (MayChangeFetch)
        {
            request.UserAgent = UserAgent;
            request.Disabled = Disabled;
            if (string.IsNullOrWhiteSpace(RefreshIntervalMinutes))
            {
                request.RefreshIntervalMinutes = null;
            }
            else if (int.TryParse(RefreshIntervalMinutes.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes))
            {
                request.RefreshIntervalMinutes = minutes;
            }
            else
            {
                ModelState.AddModelError(nameof(RefreshIntervalMinutes),
                    $"The refresh interval is a whole number of minutes, from {FeedSettings.MinRefreshMinutes} to {FeedSettings.MaxRefreshMinutes}; leave it empty for the default.");
            }
        }
        foreach (var (field, error) in FeedSettingsEdits.Normalize(request))
        {
            ModelState.AddModelError(char.ToUpperInvariant(field[0]) + field[1..], error);
        }
        if (ModelState.ErrorCount > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        switch (await edits.SaveAsync(User.UserId(), User.IsAdmin(), id, request, ct))
        {
            case FeedSettingsOutcome.NotFound:
                return NotFound();
            case FeedSettingsOutcome.Shared:
                // Someone else subscribed since the form was shown.
                MayChangeFetch = false;
                ModelState.AddModelError("", "Other readers follow this feed now: only an administrator can change how it is fetched. Nothing was saved.");
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return Page();
        }
        Message = "Settings saved.";
        return Redirect($"/feeds/{id}");
    }

    /// <summary>The user's own name for the feed as stored; null when they gave none.</summary>
    private string? OwnTitle { get; set; }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.FindAsync(db, userId, id, ct) is not { } feed)
        {
            return false;
        }
        Feed = feed;
        var own = await db.SubscriptionsOf(userId).Where(s => s.FeedId == id).Select(s => new { s.Title, FeedTitle = s.Feed.Title }).SingleAsync(ct);
        OwnTitle = own.Title;
        FeedTitle = own.FeedTitle;
        MayChangeFetch = await FeedSettingsEdits.MayChangeFetchAsync(db, userId, User.IsAdmin(), id, ct);
        return true;
    }
}
