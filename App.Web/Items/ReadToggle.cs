namespace App.Web.Items;

/// <summary>The model of the read/unread button: the item, its state, and where a form post without JS returns to.</summary>
public sealed record ReadToggle(long ItemId, bool IsRead, string ReturnUrl);
