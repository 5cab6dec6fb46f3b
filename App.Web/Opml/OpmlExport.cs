using System.Runtime.CompilerServices;
using System.Security.Claims;
using App.Data;
using App.Web.Accounts;
using App.Web.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Opml;

/// <summary><c>GET /opml/export</c>: the caller's subscriptions (with their own names for them, in their folders) as an OPML 2.0 file to download.</summary>
public static class OpmlExport
{
    /// <summary>Subscriptions read per query while the file is written.</summary>
    public const int ChunkSize = 500;

    public static IEndpointRouteBuilder MapOpmlExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/opml/export", Export);
        return app;
    }

    /// <summary>
    /// Every subscription (the file is a backup of the list), written as it is read: in keyset
    /// chunks of <see cref="ChunkSize"/>, each a short query of its own, so that neither the
    /// process's memory nor a read transaction (which would keep SQLite from checkpointing its WAL
    /// while a slow client downloads) grows with the number of feeds.
    /// </summary>
    public static IResult Export(ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, TimeProvider time, HttpContext http)
    {
        var userId = caller.UserId();
        var now = time.GetUtcNow().UtcDateTime;
        // A file name makes it an attachment (Content-Disposition), which the browser saves.
        return TypedResults.Stream(
            body => OpmlWriter.WriteAsync(body, ChunksAsync(contexts, userId, http.RequestAborted), now, http.RequestAborted),
            "text/x-opml; charset=utf-8", "feeds.opml");
    }

    private static async IAsyncEnumerable<IReadOnlyList<OpmlWriter.Subscription>> ChunksAsync(
        IDbContextFactory<AppDbContext> contexts, long userId, [EnumeratorCancellation] CancellationToken ct)
    {
        GroupedPosition? after = null;
        while (true)
        {
            List<(GroupedPosition Position, OpmlWriter.Subscription Feed)> chunk;
            await using (var db = await contexts.CreateDbContextAsync(ct))
            {
                // In the feeds list's order, so that each folder's feeds come together and its outline is written once.
                chunk = (await FeedQueries.GroupedPageOf(db, userId, after, ChunkSize)
                    .Select(s => new
                    {
                        s.FeedId,
                        s.Feed.Url,
                        Title = s.Title ?? s.Feed.Title,
                        s.Feed.SiteUrl,
                        Folder = db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).FirstOrDefault(),
                    })
                    .ToListAsync(ct))
                    .Select(s => (new GroupedPosition(s.Folder, s.FeedId), new OpmlWriter.Subscription(s.Url, s.Title, s.SiteUrl, s.Folder)))
                    .ToList();
            }
            if (chunk.Count > 0)
            {
                yield return chunk.Select(c => c.Feed).ToList();
            }
            if (chunk.Count < ChunkSize)
            {
                yield break;
            }
            after = chunk[^1].Position;
        }
    }
}
