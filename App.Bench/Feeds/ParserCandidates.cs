using System.ServiceModel.Syndication;
using System.Xml;
using App.Tests.Worker.Feeds.Parse.Corpus;
using App.Worker.Feeds;
using App.Worker.Feeds.Sanitize;
using CodeHollow.FeedReader;

namespace App.Bench.Feeds;

/// <summary>What a candidate parser made of a fixture: its items' first title, link, date and count.</summary>
public sealed record CandidateResult(int Items, string? FirstTitle, string? FirstLink, DateTime? FirstPublished);

/// <summary>
/// The parsers compared over the corpus (docs/feeds.md), each used as a thin adapter would use
/// it: raw bytes in, titles whitespace-collapsed, links made absolute against the feed URL.
/// A candidate "refuses" a document by throwing.
/// </summary>
public static class ParserCandidates
{
    public static readonly IReadOnlyList<(string Name, Func<FixtureExpectation, CandidateResult> Parse)> All =
    [
        ("ours (XmlReader + repair)", Ours),
        ("CodeHollow.FeedReader 2.1.1", CodeHollow),
        ("System.ServiceModel.Syndication 10.0.15", Syndication),
    ];

    private static CandidateResult Ours(FixtureExpectation e)
    {
        var feed = FeedCorpus.Parse(e.File);
        var first = feed.Items.FirstOrDefault();
        return new CandidateResult(feed.Items.Count, first?.Title, first?.Link, first?.PublishedAt);
    }

    private static CandidateResult CodeHollow(FixtureExpectation e)
    {
        var feed = FeedReader.ReadFromByteArray(FeedCorpus.Bytes(e.File));
        if (feed.Type == FeedType.Unknown)
        {
            throw new InvalidOperationException("unknown feed type");
        }
        var first = feed.Items.FirstOrDefault();
        var date = first?.PublishingDate ?? (first?.SpecificItem as CodeHollow.FeedReader.Feeds.AtomFeedItem)?.UpdatedDate;
        return new CandidateResult(
            feed.Items.Count,
            FeedText.Collapse(first?.Title),
            FeedText.Absolute(first?.Link, FeedCorpus.FeedUrl),
            date is { } d ? DateTime.SpecifyKind(d.ToUniversalTime(), DateTimeKind.Utc) : null);
    }

    private static CandidateResult Syndication(FixtureExpectation e)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(FeedCorpus.Bytes(e.File)), settings);
        var feed = SyndicationFeed.Load(reader);
        var items = feed.Items.ToList();
        var first = items.FirstOrDefault();
        var link = first?.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate")?.Uri;
        DateTime? date = first is null ? null
            : first.PublishDate != default ? first.PublishDate.UtcDateTime
            : first.LastUpdatedTime != default ? first.LastUpdatedTime.UtcDateTime
            : null;
        return new CandidateResult(
            items.Count,
            FeedText.Collapse(first?.Title?.Text),
            link is null ? null : FeedText.Absolute(link.OriginalString, FeedCorpus.FeedUrl),
            date);
    }

    /// <summary>"ok" when the candidate did what the expectations table says; else why not.</summary>
    public static string Judge(FixtureExpectation expected, Func<FixtureExpectation, CandidateResult> parse)
    {
        CandidateResult result;
        try
        {
            result = parse(expected);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return expected.IsError ? "ok" : $"fail: threw {ex.GetType().Name}";
        }
        if (expected.IsError)
        {
            return "fail: accepted";
        }
        if (result.Items != expected.Items)
        {
            return $"fail: {result.Items} items";
        }
        if (expected.Items == 0)
        {
            return "ok";
        }
        return result.FirstTitle != expected.FirstTitle ? $"fail: title «{result.FirstTitle}»"
            : result.FirstLink != expected.FirstLink ? $"fail: link {result.FirstLink ?? "none"}"
            : result.FirstPublished != expected.FirstPublished ? $"fail: date {result.FirstPublished:O}"
            : "ok";
    }
}
