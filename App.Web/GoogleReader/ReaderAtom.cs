using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Xml;
using App.Data;
using App.Data.Accounts;
using App.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.GoogleReader;

/// <summary>
/// <c>/reader/atom/{stream}</c>: a stream as an Atom feed, the form FeedHQ served and newsboat's
/// <c>feedhq</c> mode reads (<c>/reader/atom/feed%2F1?n=100</c>). Each entry's id is the item's
/// long id, which newsboat keeps as its guid and sends back to <c>edit-tag</c>; the user's state is
/// a category in Google's reader scheme, labelled <c>read</c> or <c>fresh</c> (unread), which
/// newsboat applies to an item it already has.
/// </summary>
public static class ReaderAtom
{
    private const string Atom = "http://www.w3.org/2005/Atom";
    private const string GoogleReader = "http://www.google.com/schemas/reader/atom/";
    private const string StateScheme = "http://www.google.com/reader/";

    public static IEndpointRouteBuilder MapReaderAtom(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reader/atom/{**stream}", FeedAsync).WithTags("Google Reader").ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> FeedAsync(
        string stream, HttpContext http, ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        var streamId = ReaderStream.FromPath(stream);
        var query = ReaderQuery.From(ReaderStream.Parse(streamId), p, defaultCount: 20, maxCount: ReaderStreamsApi.MaxContents);
        var userId = user.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = await query.Page(db, userId).Select(i => i.Id).ToListAsync(ct);
        var rows = await ReaderItems.LoadAsync(db, userId, ids.Take(query.Count).ToList(), ct);
        var feed = query.Stream.FeedId is { } feedId
            ? await db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId)
                .Select(s => new { Title = s.Title ?? s.Feed.Title ?? s.Feed.Url, s.Feed.SiteUrl }).FirstOrDefaultAsync(ct)
            : null;
        var self = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}{http.Request.QueryString}";
        var body = Write(streamId, feed?.Title ?? "Reading list", feed?.SiteUrl, self, query.NextContinuation(ids), rows);
        return Results.Bytes(body, "application/atom+xml; charset=utf-8");
    }

    private static byte[] Write(string streamId, string title, string? siteUrl, string self, string? continuation, IReadOnlyList<ReaderItemRow> rows)
    {
        using var output = new MemoryStream();
        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", Atom);
            xml.WriteAttributeString("xmlns", "gr", null, GoogleReader);
            xml.WriteElementString("id", Atom, "tag:google.com,2005:reader/" + streamId);
            Text(xml, "title", title);
            if (continuation is not null)
            {
                xml.WriteElementString("continuation", GoogleReader, continuation);
            }
            Link(xml, "self", self, null);
            if (siteUrl is not null)
            {
                Link(xml, "alternate", siteUrl, "text/html");
            }
            xml.WriteElementString("updated", Atom, Rfc3339(rows.Count > 0 ? rows.Max(r => r.CreatedAt) : DateTime.UtcNow));
            foreach (var row in rows)
            {
                Entry(xml, row);
            }
            xml.WriteEndElement();
        }
        return output.ToArray();
    }

    private static void Entry(XmlWriter xml, ReaderItemRow row)
    {
        xml.WriteStartElement("entry", Atom);
        xml.WriteAttributeString("gr", "crawl-timestamp-msec", GoogleReader, (row.CrawlMicroseconds / 1000).ToString(CultureInfo.InvariantCulture));
        xml.WriteElementString("id", Atom, ReaderItemIds.Long(row.Id));
        State(xml, ReaderStream.ReadingListId, "reading-list");
        if (row.Unread)
        {
            State(xml, ReaderStream.FreshId, "fresh");
        }
        else
        {
            State(xml, ReaderStream.ReadId, "read");
        }
        if (row.Starred)
        {
            State(xml, ReaderStream.StarredId, "starred");
        }
        Text(xml, "title", row.Title ?? "");
        xml.WriteElementString("published", Atom, Rfc3339(row.PublishedAt ?? row.CreatedAt));
        xml.WriteElementString("updated", Atom, Rfc3339(row.UpdatedAt ?? row.PublishedAt ?? row.CreatedAt));
        if (row.Link is { } link)
        {
            Link(xml, "alternate", link, "text/html");
        }
        if (row.EnclosureUrl is { } enclosure)
        {
            xml.WriteStartElement("link", Atom);
            xml.WriteAttributeString("rel", "enclosure");
            xml.WriteAttributeString("href", enclosure);
            xml.WriteAttributeString("type", row.EnclosureType ?? "application/octet-stream");
            if (row.EnclosureLength is { } length)
            {
                xml.WriteAttributeString("length", length.ToString(CultureInfo.InvariantCulture));
            }
            xml.WriteEndElement();
        }
        if (row.Author is { } author)
        {
            xml.WriteStartElement("author", Atom);
            xml.WriteElementString("name", Atom, author);
            xml.WriteEndElement();
        }
        xml.WriteStartElement("content", Atom);
        xml.WriteAttributeString("type", "html");
        xml.WriteString(row.ContentHtml ?? row.Summary ?? "");
        xml.WriteEndElement();
        xml.WriteStartElement("source", Atom);
        xml.WriteAttributeString("gr", "stream-id", GoogleReader, ReaderStream.OfFeed(row.FeedId));
        xml.WriteElementString("id", Atom, "tag:google.com,2005:reader/" + ReaderStream.OfFeed(row.FeedId));
        Text(xml, "title", row.FeedTitle);
        if (row.SiteUrl is { } site)
        {
            Link(xml, "alternate", site, "text/html");
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void State(XmlWriter xml, string term, string label)
    {
        xml.WriteStartElement("category", Atom);
        xml.WriteAttributeString("term", term);
        xml.WriteAttributeString("scheme", StateScheme);
        xml.WriteAttributeString("label", label);
        xml.WriteEndElement();
    }

    private static void Text(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement(name, Atom);
        xml.WriteAttributeString("type", "text");
        xml.WriteString(value);
        xml.WriteEndElement();
    }

    private static void Link(XmlWriter xml, string rel, string href, string? type)
    {
        xml.WriteStartElement("link", Atom);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("href", href);
        if (type is not null)
        {
            xml.WriteAttributeString("type", type);
        }
        xml.WriteEndElement();
    }

    private static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
