namespace App.Web.Items;

/// <summary>
/// The model of one row of an item list (the feed page, a river): the item, where a form post
/// about it comes back to (<paramref name="Place"/>), and the river it is opened from, which the
/// item page's "back" returns to (null on a feed page: back is the feed).
/// </summary>
public sealed record ItemRow(ItemSummary Item, string Place, string? River = null)
{
    public string Href => River is { } from ? $"/items/{Item.Id}?from={Uri.EscapeDataString(from)}" : $"/items/{Item.Id}";
}
