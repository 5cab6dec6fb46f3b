using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Web.Feeds;

/// <summary>What became of a change of a feed's settings.</summary>
public enum FeedSettingsOutcome
{
    Done,
    NotFound,

    /// <summary>The change would alter how a feed others follow is fetched, and the caller is no administrator: nothing was stored.</summary>
    Shared,
}

/// <summary>
/// A feed's settings page and <c>PATCH /api/feeds/{id}</c>: the caller's own name for the feed
/// (their subscription's) and how the feed is fetched (the feed's: interval, user agent,
/// disabled). A feed is fetched once for everyone who follows it, so its fetch settings are
/// changed by an administrator, or by its one subscriber while nobody else follows it; once
/// others do, they stay as they were until an administrator changes them.
/// </summary>
public sealed class FeedSettingsEdits(IDbContextFactory<AppDbContext> contexts, WriteLane lane, IOptions<FeedRefreshOptions> options)
{
    /// <summary>
    /// The request's values as stored (names and user agents trimmed, empty as null), and the
    /// reason each invalid field cannot be stored, by field name (camelCase, as in the request).
    /// </summary>
    public static Dictionary<string, string> Normalize(UpdateFeedRequest request)
    {
        var errors = new Dictionary<string, string>();
        if (request.SetsTitle)
        {
            request.Title = string.IsNullOrWhiteSpace(request.Title) ? null : request.Title.Trim();
            if (request.Title is { Length: > FeedRename.MaxTitleLength })
            {
                errors["title"] = $"A feed's name has at most {FeedRename.MaxTitleLength} characters.";
            }
        }
        if (request.SetsRefreshInterval && FeedSettings.RefreshMinutesError(request.RefreshIntervalMinutes) is { } interval)
        {
            errors["refreshIntervalMinutes"] = interval;
        }
        if (request.SetsUserAgent)
        {
            request.UserAgent = FeedSettings.NormalizeUserAgent(request.UserAgent);
            if (FeedSettings.UserAgentError(request.UserAgent) is { } agent)
            {
                errors["userAgent"] = agent;
            }
        }
        if (request.SetsDisabled && request.Disabled is null)
        {
            errors["disabled"] = "Disabled is true or false.";
        }
        return errors;
    }

    /// <summary>Whether the user may change how the feed is fetched: an administrator, or its only subscriber.</summary>
    public static Task<bool> MayChangeFetchAsync(AppDbContext db, long userId, bool isAdmin, long feedId, CancellationToken ct) =>
        isAdmin
            ? Task.FromResult(true)
            : db.Subscriptions.AllAsync(s => s.FeedId != feedId || s.UserId == userId, ct);

    /// <summary>
    /// Stores a <see cref="Normalize"/>d request in one write transaction: all of it, or nothing
    /// when the caller does not follow the feed or may not change its fetch settings. A changed
    /// interval moves a healthy feed's next refresh at once (<see cref="FeedSchedule.IntervalChanged"/>).
    /// </summary>
    public async Task<FeedSettingsOutcome> SaveAsync(long userId, bool isAdmin, long feedId, UpdateFeedRequest request, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        using var turn = await lane.EnterAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.SubscriptionsOf(userId).Include(s => s.Feed).SingleOrDefaultAsync(s => s.FeedId == feedId, ct) is not { } subscription)
        {
            return FeedSettingsOutcome.NotFound;
        }
        if (request.SetsFetch && !await MayChangeFetchAsync(db, userId, isAdmin, feedId, ct))
        {
            return FeedSettingsOutcome.Shared;
        }
        if (request.SetsTitle)
        {
            subscription.Title = request.Title;
        }
        var feed = subscription.Feed;
        if (request.SetsUserAgent)
        {
            feed.UserAgent = request.UserAgent;
        }
        if (request.Disabled is { } disabled)
        {
            feed.Disabled = disabled;
        }
        if (request.SetsRefreshInterval && feed.RefreshIntervalMinutes != request.RefreshIntervalMinutes)
        {
            feed.RefreshIntervalMinutes = request.RefreshIntervalMinutes;
            FeedSchedule.IntervalChanged(feed, FeedSettings.RefreshIntervalOf(feed, options.Value.RefreshInterval));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return FeedSettingsOutcome.Done;
    }
}
