using App.Data.Feeds;
using App.Data.Queue;

namespace App.Data.Accounts;

/// <summary>
/// What a user may see: the one place where a user's data is scoped. A feed, item, job or batch
/// outside these queries answers 404 to them, whatever its id.
/// </summary>
public static class UserScope
{
    /// <summary>The user's subscriptions.</summary>
    public static IQueryable<Subscription> SubscriptionsOf(this AppDbContext db, long userId) =>
        db.Subscriptions.Where(s => s.UserId == userId);

    /// <summary>The feeds the user subscribes to.</summary>
    public static IQueryable<Feed> FeedsOf(this AppDbContext db, long userId) =>
        db.Feeds.Where(f => db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == f.Id));

    /// <summary>The items of the feeds the user subscribes to.</summary>
    public static IQueryable<FeedItem> ItemsOf(this AppDbContext db, long userId) =>
        db.FeedItems.Where(i => db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == i.FeedId));

    /// <summary>
    /// The jobs of the feeds the user subscribes to; for an administrator also the jobs that belong
    /// to no feed (the install's own work). Another user's feed's jobs stay hidden even from an
    /// administrator here; the queue dashboard, which is theirs, shows every job.
    /// </summary>
    public static IQueryable<Job> JobsOf(this AppDbContext db, long userId, bool isAdmin) =>
        db.Jobs.Where(j => j.FeedId == null
            ? isAdmin
            : db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == j.FeedId));

    /// <summary>The user's own batches (their imports).</summary>
    public static IQueryable<JobBatch> BatchesOf(this AppDbContext db, long userId) =>
        db.JobBatches.Where(b => b.UserId == userId);

    /// <summary>The user's folders.</summary>
    public static IQueryable<Folder> FoldersOf(this AppDbContext db, long userId) =>
        db.Folders.Where(f => f.UserId == userId);

    /// <summary>The user's unread marks: an item with a row here is unread for them.</summary>
    public static IQueryable<UnreadItem> UnreadOf(this AppDbContext db, long userId) =>
        db.UnreadItems.Where(u => u.UserId == userId);

    /// <summary>The user's stars.</summary>
    public static IQueryable<StarredItem> StarredOf(this AppDbContext db, long userId) =>
        db.StarredItems.Where(s => s.UserId == userId);
}
