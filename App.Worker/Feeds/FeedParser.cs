using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using App.Worker.Feeds.Formats;

namespace App.Worker.Feeds;

/// <summary>
/// Detects the format of a fetched document and parses it into a <see cref="ParsedFeed"/>:
/// decode (BOM, XML declaration, HTTP charset) → repair (<see cref="XmlRepair"/>) → a strict
/// XmlReader that prohibits DTDs and resolves nothing → the format's parser. Chosen over
/// CodeHollow.FeedReader and System.ServiceModel.Syndication by measurement (docs/feeds.md).
/// </summary>
public sealed partial class FeedParser
{
    private static readonly XmlReaderSettings SafeXml = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    public ParsedFeed Parse(FetchedDocument document)
    {
        var text = FeedDecoding.Decode(document.Body, document.Charset);
        var start = 0;
        while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] == '\uFEFF'))
        {
            start++;
        }
        if (start == text.Length)
        {
            throw new FeedException("No feed found at this address (the response is empty)", retryable: false);
        }
        if (text[start] is '{' or '[')
        {
            return JsonFeedParser.Parse(text[start..], document.Url);
        }
        if (FeedDiscovery.LooksLikeHtml(document.MediaType, text.AsSpan(start)))
        {
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false);
        }

        var root = Load(start == 0 ? text : text[start..]);
        return (root.Name.LocalName, root.Name.Namespace.NamespaceName) switch
        {
            ("rss", _) or ("RDF", _) => RssParser.Parse(root, document.Url),
            ("feed", _) when root.Name.Namespace == FeedXml.Atom || root.Name.Namespace == FeedXml.Atom03 || root.Name.Namespace == XNamespace.None
                => AtomParser.Parse(root, document.Url),
            ("html", _) => throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false),
            _ => throw new FeedException($"Not a feed: the document is <{root.Name.LocalName}> XML, not RSS, Atom or JSON Feed", retryable: false),
        };
    }

    private static XElement Load(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new XmlRepair(xml), SafeXml);
            return XElement.Load(reader);
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            throw new FeedException("The feed declares a DTD; DTDs are not processed for safety", retryable: false, e);
        }
        catch (XmlException e)
        {
            var reason = LinePositionSuffix().Replace(e.Message, "");
            throw new FeedException($"Invalid XML at line {e.LineNumber}, column {e.LinePosition}: {reason}", retryable: false, e);
        }
    }

    [GeneratedRegex(@"\s*Line \d+, position \d+\.$")]
    private static partial Regex LinePositionSuffix();
}
