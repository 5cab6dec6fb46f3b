using System.Text;

namespace App.Worker.Feeds;

/// <summary>One item as it will be stored: identity, text, sanitized HTML; <see cref="PublishedAt"/> as the feed gave it.</summary>
public sealed record StagedItem(
    string Key,
    string? Guid,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    DateTime? UpdatedAt,
    string? Summary,
    string? ContentHtml,
    string? Excerpt,
    string? EnclosureUrl,
    string? EnclosureType,
    long? EnclosureLength);

/// <summary>
/// The cleaned items of one refresh, parked in a temporary file between parsing and storing, so
/// that a feed of 20,000 items is never in memory as objects: only an offset and a date per item
/// stay, to hand the newest <see cref="Keep"/> back oldest first (item ids then follow publication order).
/// </summary>
public sealed class ItemSpool : IDisposable
{
    private readonly FileStream _file = TempFile.Create("feed-items", bufferSize: 16 * 1024);

    private readonly List<(long Offset, DateTime? PublishedAt)> _index = [];
    private readonly BinaryWriter _writer;

    /// <param name="keep">How many of the newest items <see cref="OldestFirst"/> hands back (<see cref="FeedOptions.MaxItemsPerFetch"/>).</param>
    public ItemSpool(int keep = int.MaxValue)
    {
        Keep = keep;
        _writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>How many items are handed back at most: the newest.</summary>
    public int Keep { get; }

    /// <summary>How many items were spooled.</summary>
    public int Count => _index.Count;

    public void Add(StagedItem item)
    {
        _index.Add((_file.Position, item.PublishedAt));
        _writer.Write(item.Key);
        Write(item.Guid);
        Write(item.Title);
        Write(item.Link);
        Write(item.Author);
        Write(item.PublishedAt);
        Write(item.UpdatedAt);
        Write(item.Summary);
        Write(item.ContentHtml);
        Write(item.Excerpt);
        Write(item.EnclosureUrl);
        Write(item.EnclosureType);
        Write(item.EnclosureLength);
    }

    /// <summary>
    /// The newest <see cref="Keep"/> items, oldest first: by published date (ties: later in the
    /// document first) when every item has one, else in reverse document order, as feeds list
    /// newest first (so the first items of the document are the ones kept).
    /// </summary>
    public IEnumerable<StagedItem> OldestFirst()
    {
        _writer.Flush();
        var order = (_index.All(i => i.PublishedAt is not null)
            ? Enumerable.Range(0, _index.Count).OrderBy(k => _index[k].PublishedAt).ThenByDescending(k => k)
            : Enumerable.Range(0, _index.Count).Reverse())
            .Skip(Math.Max(0, _index.Count - Keep));
        using var reader = new BinaryReader(_file, Encoding.UTF8, leaveOpen: true);
        foreach (var k in order)
        {
            _file.Position = _index[k].Offset;
            yield return new StagedItem(
                reader.ReadString(), ReadString(reader), ReadString(reader), ReadString(reader), ReadString(reader),
                ReadDate(reader), ReadDate(reader), ReadString(reader), ReadString(reader), ReadString(reader), ReadString(reader), ReadString(reader),
                reader.ReadBoolean() ? reader.ReadInt64() : null);
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }

    private void Write(string? value)
    {
        _writer.Write(value is not null);
        if (value is not null)
        {
            _writer.Write(value);
        }
    }

    private void Write(DateTime? value)
    {
        _writer.Write(value.HasValue);
        if (value is { } date)
        {
            _writer.Write(date.ToBinary());
        }
    }

    private void Write(long? value)
    {
        _writer.Write(value.HasValue);
        if (value is { } number)
        {
            _writer.Write(number);
        }
    }

    private static string? ReadString(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    private static DateTime? ReadDate(BinaryReader reader) => reader.ReadBoolean() ? DateTime.FromBinary(reader.ReadInt64()) : null;

}
