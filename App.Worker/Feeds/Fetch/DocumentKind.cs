namespace App.Worker.Feeds.Fetch;

/// <summary>What a fetched document is, as told from its start (<see cref="FetchedDocument.Kind"/>).</summary>
public enum DocumentKind
{
    /// <summary>Nothing but blank space.</summary>
    Empty,

    /// <summary>Starts with '{' or '[': JSON Feed or nothing.</summary>
    Json,

    /// <summary>A web page: the fetch follows it to the feed it advertises; the parser refuses it.</summary>
    WebPage,

    /// <summary>Anything else: RSS, Atom, or XML that the parser will refuse.</summary>
    Xml,
}
