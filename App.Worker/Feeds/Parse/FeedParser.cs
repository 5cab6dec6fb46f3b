using System.Text.RegularExpressions;
using System.Xml;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse.Formats;

namespace App.Worker.Feeds.Parse;

/// <summary>
/// Parses a fetched document into a <see cref="ParsedFeed"/> by its <see cref="FetchedDocument.Kind"/>:
/// JSON Feed, or XML decoded (BOM, XML declaration, HTTP charset) → repaired (<see cref="XmlRepair"/>)
/// → read by a strict XmlReader that prohibits DTDs and resolves nothing → RSS or Atom. Chosen over
/// CodeHollow.FeedReader and System.ServiceModel.Syndication by measurement (docs/feeds.md).
/// </summary>
public sealed partial class FeedParser(GarbageBudget? budget = null)
{
    private static readonly XmlReaderSettings SafeXml = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The whole feed with its items in document order (for callers that want them all at once).</summary>
    public ParsedFeed Parse(FetchedDocument document)
    {
        var items = new List<ParsedItem>();
        var feed = Parse(document, (item, _) => items.Add(item));
        return feed with { Items = items };
    }

    /// <summary>
    /// Parses <paramref name="document"/> item by item: each goes to <paramref name="onItem"/> as it
    /// is read, with the feed as known at that point; the returned feed has no items. A document
    /// that turns out invalid further on throws after some items were handed over. Cancellation
    /// is observed before each item: parsing is synchronous, and a refresh past its timeout must
    /// not run on to the end of a large feed.
    /// </summary>
    public ParsedFeed Parse(FetchedDocument document, Action<ParsedItem, ParsedFeed> onItem, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var handOver = onItem;
        onItem = (item, feed) =>
        {
            handOver(item, feed);
            ct.ThrowIfCancellationRequested();
        };
        switch (document.Kind)
        {
            case DocumentKind.Empty:
                throw new FeedException("No feed found at this address (the response is empty)", retryable: false) { Reason = "not_a_feed" };
            case DocumentKind.WebPage:
                throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false) { Reason = "not_a_feed" };
            case DocumentKind.Json:
                var json = FeedDecoding.Decode(document.Body.ToArray(), document.Charset);
                return JsonFeedParser.Parse(json.TrimStart(), document.Url, onItem);
            default:
                return ParseXml(document, onItem, budget);
        }
    }

    private static ParsedFeed ParseXml(FetchedDocument document, Action<ParsedItem, ParsedFeed> onItem, GarbageBudget? budget)
    {
        try
        {
            var text = FeedDecoding.Open(document.Body, document.Charset);
            // An XML declaration is only allowed at the very start: skip the blank lines some servers put first.
            while (text.Peek() is var c && c >= 0 && (char.IsWhiteSpace((char)c) || c == '\uFEFF'))
            {
                text.Read();
            }
            using var repaired = new XmlRepair(text, budget is null ? null : () => budget.Spend());
            using var reader = XmlReader.Create(repaired, SafeXml, WellKnownPrefixes());
            reader.MoveToContent();
            // A document cut off after complete items keeps them: the reader's error then comes at the end of the text.
            Func<XmlException, bool> cutOff = e => repaired.IsLastLine(e.LineNumber);
            return (reader.LocalName, reader.NamespaceURI) switch
            {
                // RSS in any namespace: Userland's "http://backend.userland.com/rss2" and others were used as a default.
                ("rss", _) or ("RDF", _) => RssParser.Parse(reader, document.Url, onItem, cutOff),
                ("feed", var ns) when ns == FeedXml.Atom.NamespaceName || ns.Length == 0 || FeedXml.AtomDrafts.Contains(ns)
                    => AtomParser.Parse(reader, document.Url, onItem, cutOff),
                ("html", _) => throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false) { Reason = "not_a_feed" },
                _ => throw new FeedException($"Not a feed: the document is <{reader.LocalName}> XML, not RSS, Atom or JSON Feed", retryable: false) { Reason = "not_a_feed" },
            };
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            throw new FeedException("The feed declares a DTD; DTDs are not processed for safety", retryable: false, e) { Reason = "invalid_feed" };
        }
        catch (XmlException e)
        {
            var reason = LinePositionSuffix().Replace(e.Message, "");
            throw new FeedException($"Invalid XML at line {e.LineNumber}, column {e.LinePosition}: {reason}", retryable: false, e) { Reason = "invalid_feed" };
        }
    }

    private static XmlParserContext WellKnownPrefixes()
    {
        var names = new NameTable();
        var namespaces = new XmlNamespaceManager(names);
        foreach (var (prefix, ns) in FeedXml.WellKnownPrefixes)
        {
            namespaces.AddNamespace(prefix, ns.NamespaceName);
        }
        return new XmlParserContext(names, namespaces, null, XmlSpace.None);
    }

    [GeneratedRegex(@"\s*Line \d+, position \d+\.$")]
    private static partial Regex LinePositionSuffix();
}
