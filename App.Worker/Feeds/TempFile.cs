namespace App.Worker.Feeds;

/// <summary>Scratch files of a refresh (large bodies, spooled items).</summary>
public static class TempFile
{
    /// <summary>
    /// A new file in the temp folder, open for reading and writing, whose name is removed at once:
    /// the open handle keeps it alive and nothing is left behind, also when the process is killed
    /// in the middle of a refresh.
    /// </summary>
    public static FileStream Create(string prefix, int bufferSize)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, bufferSize);
        File.Delete(path);
        return file;
    }
}
