using System.Xml;

namespace App.Web.Opml;

/// <summary>
/// A feed as an OPML file lists it: its address as written, the names it gives, and the folder it
/// sits in: the categories (outlines without an address) around it, nested ones joined into one
/// path ("Tech / Databases", as Miniflux flattens them); null at the top level.
/// </summary>
public sealed record OpmlOutline(string XmlUrl, string? Title, string? HtmlUrl, string? Folder = null);

/// <summary>Why an OPML file cannot be imported, as a sentence for the person who chose it.</summary>
public sealed class OpmlException(string message) : Exception(message);

/// <summary>Reads the feeds of an OPML file: every <c>outline</c> with an <c>xmlUrl</c>, at any depth, with its categories' path.</summary>
public static class OpmlReader
{
    /// <summary>Largest file accepted: 1 MiB holds thousands of subscriptions.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Reads at most <see cref="MaxBytes"/> from <paramref name="stream"/>, then parses.</summary>
    public static async Task<IReadOnlyList<OpmlOutline>> ReadAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new OpmlException($"The file is larger than {MaxBytes / 1024 / 1024} MiB.");
            }
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return Parse(buffer);
    }

    public static IReadOnlyList<OpmlOutline> Parse(Stream stream)
    {
        if (stream.Length == 0)
        {
            throw new OpmlException("The file is empty.");
        }
        // No DTD at all: no entity expansion (billion laughs), no external entities, nothing fetched.
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            MaxCharactersInDocument = MaxBytes * 2L,
        };
        var outlines = new List<OpmlOutline>();
        try
        {
            using var reader = XmlReader.Create(stream, settings);
            reader.MoveToContent();
            if (reader.LocalName != "opml")
            {
                throw new OpmlException($"This is not an OPML file: its root element is <{reader.LocalName}>, not <opml>.");
            }
            // One entry per open outline: its category name, or null for a feed (or a nameless category).
            var open = new Stack<string?>();
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "outline")
                {
                    var name = Attribute(reader, "title") ?? Attribute(reader, "text");
                    var xmlUrl = Attribute(reader, "xmlUrl");
                    if (xmlUrl is not null)
                    {
                        outlines.Add(new OpmlOutline(xmlUrl, name, Attribute(reader, "htmlUrl"), FolderPath(open)));
                    }
                    if (!reader.IsEmptyElement)
                    {
                        open.Push(xmlUrl is null ? name : null);
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "outline" && open.Count > 0)
                {
                    open.Pop();
                }
            }
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            throw new OpmlException("The file declares a DTD (<!DOCTYPE …>), which is refused for safety. Remove it and try again.");
        }
        catch (XmlException e)
        {
            throw new OpmlException($"The file is not well-formed XML (line {e.LineNumber}, position {e.LinePosition}): {e.Message}");
        }
        if (outlines.Count == 0)
        {
            throw new OpmlException("The file lists no feeds: no <outline> has an xmlUrl.");
        }
        return outlines;
    }

    /// <summary>How nested category names are joined into one folder name.</summary>
    public const string PathSeparator = " / ";

    private static string? FolderPath(Stack<string?> open)
    {
        var names = open.Where(n => n is not null).Reverse().ToList();
        return names.Count == 0 ? null : string.Join(PathSeparator, names);
    }

    // Exporters disagree on the case of attribute names (xmlUrl, xmlurl, XMLURL).
    private static string? Attribute(XmlReader reader, string name)
    {
        if (reader.GetAttribute(name) is { } exact)
        {
            return Clean(exact);
        }
        for (var i = 0; i < reader.AttributeCount; i++)
        {
            reader.MoveToAttribute(i);
            if (string.Equals(reader.LocalName, name, StringComparison.OrdinalIgnoreCase))
            {
                var value = reader.Value;
                reader.MoveToElement();
                return Clean(value);
            }
        }
        reader.MoveToElement();
        return null;
    }

    private static string? Clean(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
