namespace App.Web.Items;

/// <summary>
/// The model of the read/unread button: the item, its state, where a form post without JS returns
/// to, and the item's title, which screen readers hear with the button (a list has many of them).
/// </summary>
public sealed record ReadToggle(long ItemId, bool IsRead, string ReturnUrl, string? Title);
