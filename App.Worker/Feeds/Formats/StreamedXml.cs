using System.Xml;
using System.Xml.Linq;

namespace App.Worker.Feeds.Formats;

/// <summary>
/// Reads a feed document without building all of it: the root and its &lt;channel&gt; are kept
/// with their small children (title, link, image…), while each &lt;item&gt; or &lt;entry&gt; is read
/// whole, attached where it stands for as long as the callback looks at it (so that xml:base
/// and feed-level fallbacks still resolve through its parents), then dropped. A 10 MiB feed's
/// tree is never in memory at once (docs/feeds.md, memory).
/// </summary>
public static class StreamedXml
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    /// <summary>Reads the document from its root element on; returns the root, without its items.</summary>
    public static XElement Read(XmlReader reader, Action<XElement> onItem)
    {
        if (reader.MoveToContent() != XmlNodeType.Element)
        {
            throw new XmlException("Root element is missing.");
        }
        var root = StartElement(reader);
        var current = reader.IsEmptyElement ? null : root;
        reader.Read();
        while (current is not null)
        {
            if (reader.EOF)
            {
                throw new XmlException("Unexpected end of file.");
            }
            switch (reader.NodeType)
            {
                case XmlNodeType.Element when current == root && reader.LocalName == "channel":
                    var channel = StartElement(reader);
                    current.Add(channel);
                    current = reader.IsEmptyElement ? current : channel;
                    reader.Read();
                    break;
                case XmlNodeType.Element:
                    var element = (XElement)XNode.ReadFrom(reader);
                    current.Add(element);
                    if (element.Name.LocalName is "item" or "entry")
                    {
                        onItem(element);
                        element.Remove();
                    }
                    break;
                case XmlNodeType.EndElement:
                    current = current.Parent;
                    reader.Read();
                    break;
                default:
                    // Text between the children of the root or channel is layout whitespace in a feed.
                    reader.Read();
                    break;
            }
        }
        // The rest must still be well-formed: a second root element is an error, as with a whole-tree load.
        while (reader.Read())
        {
        }
        return root;
    }

    private static XElement StartElement(XmlReader reader)
    {
        var element = new XElement(XNamespace.Get(reader.NamespaceURI) + reader.LocalName);
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                element.Add(reader.NamespaceURI == XmlnsNamespace
                    ? new XAttribute(reader.Prefix.Length == 0 ? XNamespace.None + "xmlns" : XNamespace.Xmlns + reader.LocalName, reader.Value)
                    : new XAttribute(XNamespace.Get(reader.NamespaceURI) + reader.LocalName, reader.Value));
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
        return element;
    }
}
