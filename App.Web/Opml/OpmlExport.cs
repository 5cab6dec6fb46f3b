using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Opml;

/// <summary><c>GET /opml/export</c>: the caller's subscriptions (with their own names for them, in their folders) as an OPML 2.0 file to download.</summary>
public static class OpmlExport
{
    public static IEndpointRouteBuilder MapOpmlExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/opml/export", ExportAsync);
        return app;
    }

    public static async Task<IResult> ExportAsync(
        ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, TimeProvider time, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var feeds = await db.SubscriptionsOf(caller.UserId()).OrderBy(s => s.FeedId)
            .Select(s => new OpmlWriter.Subscription(
                s.Feed.Url, s.Title ?? s.Feed.Title, s.Feed.SiteUrl, db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).FirstOrDefault()))
            .ToListAsync(ct);
        var body = OpmlWriter.Write(feeds, time.GetUtcNow().UtcDateTime);
        // A file name makes it an attachment (Content-Disposition), which the browser saves.
        return TypedResults.File(body, "text/x-opml; charset=utf-8", "feeds.opml");
    }
}
