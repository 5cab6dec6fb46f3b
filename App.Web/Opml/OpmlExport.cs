using App.Data;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Opml;

/// <summary><c>GET /opml/export</c>: every subscription as an OPML 2.0 file to download.</summary>
public static class OpmlExport
{
    public static IEndpointRouteBuilder MapOpmlExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/opml/export", ExportAsync);
        return app;
    }

    public static async Task<IResult> ExportAsync(IDbContextFactory<AppDbContext> contexts, TimeProvider time, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var feeds = await db.Feeds.OrderBy(f => f.Id)
            .Select(f => new OpmlWriter.Subscription(f.Url, f.Title, f.SiteUrl))
            .ToListAsync(ct);
        var body = OpmlWriter.Write(feeds, time.GetUtcNow().UtcDateTime);
        // A file name makes it an attachment (Content-Disposition), which the browser saves.
        return TypedResults.File(body, "text/x-opml; charset=utf-8", "feeds.opml");
    }
}
