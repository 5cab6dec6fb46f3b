namespace App.Web.Feeds;

/// <summary>One page of a user's feeds; <see cref="NextAfter"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record FeedPage(List<FeedResponse> Feeds, long? NextAfter);
