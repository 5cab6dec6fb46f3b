using App.Data;
using App.Data.Accounts;
using App.Data.Writes;

namespace App.Web.Folders;

/// <summary>What became of a folder edit.</summary>
public enum FolderEditOutcome
{
    Done,
    NotFound,
    NameTaken,
    BadName,
}

/// <summary>
/// Adding, renaming, deleting folders and moving feeds, through the write lane: shared by the
/// folders API, the pages and the Google Reader API's labels. Names are trimmed, 1 to
/// <see cref="Folder.MaxNameLength"/> characters, unique per user in any letter case.
/// </summary>
public sealed class FolderEdits(WriteLane lane, TimeProvider time)
{
    /// <summary>The name as stored, or null with <paramref name="error"/> when it cannot be one.</summary>
    public static string? Normalize(string? name, out string error)
    {
        var trimmed = name?.Trim() ?? "";
        error = trimmed.Length == 0
            ? "A folder needs a name."
            : trimmed.Length > Folder.MaxNameLength ? $"A folder's name has at most {Folder.MaxNameLength} characters." : "";
        return error.Length == 0 ? trimmed : null;
    }

    /// <summary>A new folder's id, or null when the user has one of that name already.</summary>
    public Task<long?> AddAsync(long userId, string name, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c => FolderWrites.Find(c, userId, name) is null
            ? FolderWrites.Add(c, userId, name, time.GetUtcNow().UtcDateTime)
            : (long?)null, ct);

    public async Task<FolderEditOutcome> RenameAsync(long userId, long id, string name, CancellationToken ct)
    {
        try
        {
            return await lane.InWriteTransactionAsync(c => FolderWrites.Rename(c, userId, id, name), ct)
                ? FolderEditOutcome.Done
                : FolderEditOutcome.NotFound;
        }
        catch (Exception e) when (UniqueViolation.Is(e))
        {
            return FolderEditOutcome.NameTaken;
        }
    }

    public Task<bool> DeleteAsync(long userId, long id, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c => FolderWrites.Delete(c, userId, id), ct);

    /// <summary>Puts the feed in the folder (null: none); false when the feed or the folder is not the user's.</summary>
    public Task<bool> MoveAsync(long userId, long feedId, long? folderId, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c => FolderWrites.Move(c, userId, feedId, folderId), ct);

    /// <summary>Puts the feed in the folder named <paramref name="name"/>, made when missing (a Google Reader label).</summary>
    public Task<bool> MoveToNamedAsync(long userId, long feedId, string name, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c => FolderWrites.Move(c, userId, feedId, FolderWrites.FindOrAdd(c, userId, name, time.GetUtcNow().UtcDateTime)), ct);
}
