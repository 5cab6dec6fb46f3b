namespace App.Web.Items;

/// <summary>The model of the star button: the item, whether it is starred, where a form post without JS returns to, and its title for screen readers.</summary>
public sealed record StarToggle(long ItemId, bool IsStarred, string ReturnUrl, string? Title);
