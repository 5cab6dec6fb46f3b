namespace App.Web.Folders;

/// <summary>Body of <c>POST /api/folders</c> and <c>PATCH /api/folders/{id}</c>.</summary>
public sealed record FolderRequest(string? Name);

/// <summary>Body of <c>PUT /api/feeds/{id}/folder</c>: the folder to put the feed in; null takes it out of any.</summary>
public sealed record MoveFeedRequest(long? FolderId);

/// <summary>A folder of the caller's, with how many feeds it holds and how many of their items are unread for the caller.</summary>
public sealed record FolderResponse(long Id, string Name, int FeedCount, int UnreadCount);
