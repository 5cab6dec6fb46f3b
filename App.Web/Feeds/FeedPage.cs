namespace App.Web.Feeds;

/// <summary>One page of a user's feeds; <see cref="NextAfter"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record FeedPage(List<FeedResponse> Feeds, long? NextAfter);

/// <summary>A feed's place in the feeds list's order: its folder's name (null: in none, which comes last), then its id.</summary>
public sealed record GroupedPosition(string? Folder, long FeedId);
