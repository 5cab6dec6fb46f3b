using System.Text;
using System.Xml;
using System.Xml.Linq;
using App.Worker.Feeds.Sanitize;

namespace App.Worker.Feeds.Parse.Formats;

/// <summary>
/// Reads a feed document without building all of it: the root and its &lt;channel&gt; are kept
/// with their small children (title, link, image…), while each &lt;item&gt; or &lt;entry&gt; is read
/// whole, attached where it stands for as long as the callback looks at it (so that xml:base
/// and feed-level fallbacks still resolve through its parents), then dropped. A 10 MiB feed's
/// tree is never in memory at once (docs/feeds.md, memory), and the tree of one item is bounded
/// in depth and size before it is built.
/// </summary>
public static class StreamedXml
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    /// <summary>Deepest nesting inside an item (or any other child of the root or channel); xhtml content nests a few levels.</summary>
    public const int MaxDepth = 100;

    /// <summary>Most elements inside an item (or any other child of the root or channel).</summary>
    public const int MaxElements = 20_000;

    /// <summary>
    /// Most characters of text kept of one element (half of what the sanitizer takes of a field,
    /// <see cref="HtmlBounds.MaxChars"/>: some 20,000 words of an article) and of all the text of
    /// an item (twice that, so that a summary and a content each fit); the rest is dropped as it
    /// is read. Text is read in chunks, so that a node of megabytes is never held whole. The
    /// bound keeps a refresh with a megabyte-sized item within the worker's memory target (peak
    /// 149 MB against 151 MB at twice the bound, docs/feeds.md).
    /// </summary>
    public const int MaxTextChars = HtmlBounds.MaxChars / 2;

    /// <summary>
    /// Reads the document from its root element on; returns the root, without its items. A
    /// document that ends before its closing tags (<paramref name="cutOff"/> tells whether the
    /// reader's error came at the end of the input) keeps the items read whole before that, as
    /// other readers do; with none, it is invalid.
    /// </summary>
    public static XElement Read(XmlReader reader, Action<XElement> onItem, Func<XmlException, bool>? cutOff = null)
    {
        XElement? root = null;
        var items = 0;
        try
        {
            return Read(reader, item =>
            {
                onItem(item);
                items++;
            }, r => root = r);
        }
        catch (XmlException e) when (items > 0 && root is not null && cutOff?.Invoke(e) == true)
        {
            return root;
        }
    }

    private static XElement Read(XmlReader reader, Action<XElement> onItem, Action<XElement> started)
    {
        if (reader.MoveToContent() != XmlNodeType.Element)
        {
            throw new XmlException("Root element is missing.");
        }
        var root = StartElement(reader);
        started(root);
        // One for the whole document: its buffers serve every item in turn.
        var text = new PendingText();
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
                    var element = ReadBounded(reader, text);
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

    /// <summary>
    /// The element at the reader, read whole (the reader ends after it), as XNode.ReadFrom would,
    /// but within <see cref="MaxDepth"/> and <see cref="MaxElements"/>: a tree is built of it, and
    /// an item nesting 100,000 elements would be a tree 100,000 deep.
    /// </summary>
    private static XElement ReadBounded(XmlReader reader, PendingText text)
    {
        var top = reader.Depth;
        var root = StartElement(reader);
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return root;
        }
        var current = root;
        var elements = 1;
        text.Begin();
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (reader.Depth - top > MaxDepth)
                    {
                        throw new FeedException($"Not a usable feed: <{root.Name.LocalName}> nests elements more than {MaxDepth} deep", retryable: false);
                    }
                    if (++elements > MaxElements)
                    {
                        throw new FeedException($"Not a usable feed: <{root.Name.LocalName}> holds more than {MaxElements:N0} elements", retryable: false);
                    }
                    text.AddTo(current);
                    var child = StartElement(reader);
                    current.Add(child);
                    current = reader.IsEmptyElement ? current : child;
                    break;
                case XmlNodeType.EndElement:
                    text.AddTo(current);
                    if (current == root)
                    {
                        reader.Read();
                        return root;
                    }
                    current = current.Parent!;
                    break;
                case XmlNodeType.CDATA or XmlNodeType.Text or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text.Read(reader, current);
                    break;
            }
        }
        throw new XmlException("Unexpected end of file.");
    }

    /// <summary>
    /// The text nodes of an element read so far, joined while they are of one kind (a long CDATA
    /// section comes split in several, see <see cref="XmlRepair"/>) and read in chunks, within the
    /// element's and the item's allowance (<see cref="MaxTextChars"/>); what goes past is dropped.
    /// </summary>
    private sealed class PendingText
    {
        private readonly char[] _chunk = new char[4096];
        private readonly StringBuilder _text = new();
        private XmlNodeType _kind;
        private XElement? _owner;
        private int _ownerLeft;
        private int _itemLeft;

        /// <summary>Starts on a new item.</summary>
        public void Begin()
        {
            _text.Clear();
            _owner = null;
            _itemLeft = 2 * MaxTextChars;
        }

        public void Read(XmlReader reader, XElement owner)
        {
            var kind = reader.NodeType == XmlNodeType.CDATA ? XmlNodeType.CDATA : XmlNodeType.Text;
            if (_text.Length > 0 && kind != _kind)
            {
                AddTo(owner);
            }
            if (_owner != owner)
            {
                (_owner, _ownerLeft) = (owner, MaxTextChars);
            }
            _kind = kind;
            int read;
            while ((read = reader.ReadValueChunk(_chunk, 0, _chunk.Length)) > 0)
            {
                var keep = Math.Min(read, Math.Min(_itemLeft, _ownerLeft));
                _text.Append(_chunk, 0, keep);
                _itemLeft -= keep;
                _ownerLeft -= keep;
            }
        }

        /// <summary>Adds the text read so far to <paramref name="element"/>, as one node.</summary>
        public void AddTo(XElement element)
        {
            if (_text.Length == 0)
            {
                return;
            }
            element.Add(_kind == XmlNodeType.CDATA ? new XCData(_text.ToString()) : new XText(_text.ToString()));
            _text.Clear();
        }
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
