using System.Text;

namespace App.Worker.Feeds.Store;

/// <summary>
/// The sanitized items of one refresh, parked between parsing and storing in a buffer that moves
/// to a temporary file once it passes <see cref="InMemoryBytes"/>, so that a feed of 20,000 items
/// is never in memory as objects: only an offset and a date per item stay, to hand the newest
/// <see cref="Keep"/> back oldest first (item ids then follow publication order). Each item is kept
/// as the values of <see cref="ItemColumns"/>, in their order, which is also how the store binds them.
/// </summary>
public sealed class ItemSpool : IDisposable
{
    /// <summary>
    /// Spooled bytes kept in memory before they move to a file. A feed of a few dozen items (most
    /// refreshes) stays under it: creating, writing, reading and unlinking a file per refresh was
    /// ~5 % of a worker's CPU when 10,000 feeds were refreshed at once (docs/feeds.md).
    /// </summary>
    public const int InMemoryBytes = 256 * 1024;

    private readonly List<(long Offset, DateTime? PublishedAt)> _index = [];
    private Stream _store = new MemoryStream();
    private BinaryWriter _writer;

    /// <param name="keep">How many of the newest items <see cref="OldestFirst"/> hands back (<see cref="FeedOptions.MaxItemsPerFetch"/>).</param>
    public ItemSpool(int keep = int.MaxValue)
    {
        Keep = keep;
        _writer = new BinaryWriter(_store, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>Whether the items moved to a temporary file (they passed <see cref="InMemoryBytes"/>).</summary>
    public bool OnDisk => _store is FileStream;

    /// <summary>How many items are handed back at most: the newest.</summary>
    public int Keep { get; }

    /// <summary>How many items were spooled.</summary>
    public int Count => _index.Count;

    public void Add(StagedItem item)
    {
        _index.Add((_store.Position, item.PublishedAt));
        foreach (var column in ItemColumns.All)
        {
            Write(column.Kind, column.Value(item));
        }
        if (_store is MemoryStream memory && memory.Length > InMemoryBytes)
        {
            MoveToFile(memory);
        }
    }

    // The file holds the same bytes at the same offsets, so the index stays as it is.
    private void MoveToFile(MemoryStream memory)
    {
        _writer.Flush();
        var file = TempFile.Create("feed-items", bufferSize: 16 * 1024);
        memory.WriteTo(file);
        _writer.Dispose();
        memory.Dispose();
        _store = file;
        _writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>
    /// The newest <see cref="Keep"/> items, oldest first, each as its values in the order of
    /// <see cref="ItemColumns.All"/>: by published date (ties: later in the document first) when
    /// every item has one, else in reverse document order, as feeds list newest first (so the first
    /// items of the document are the ones kept). A row's array is reused for the next row.
    /// </summary>
    public IEnumerable<object?[]> OldestFirst()
    {
        _writer.Flush();
        var order = (_index.All(i => i.PublishedAt is not null)
            ? Enumerable.Range(0, _index.Count).OrderBy(k => _index[k].PublishedAt).ThenByDescending(k => k)
            : Enumerable.Range(0, _index.Count).Reverse())
            .Skip(Math.Max(0, _index.Count - Keep));
        using var reader = new BinaryReader(_store, Encoding.UTF8, leaveOpen: true);
        var row = new object?[ItemColumns.All.Count];
        foreach (var k in order)
        {
            _store.Position = _index[k].Offset;
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = Read(reader, ItemColumns.All[c].Kind);
            }
            yield return row;
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        _store.Dispose();
    }

    private void Write(ItemColumnKind kind, object? value)
    {
        _writer.Write(value is not null);
        switch (value)
        {
            case null:
                break;
            case string text when kind == ItemColumnKind.Text:
                _writer.Write(text);
                break;
            case DateTime time when kind == ItemColumnKind.Time:
                _writer.Write(time.ToBinary());
                break;
            case long number when kind == ItemColumnKind.Number:
                _writer.Write(number);
                break;
            default:
                throw new InvalidOperationException($"A {kind} column holds a {value.GetType().Name}.");
        }
    }

    private static object? Read(BinaryReader reader, ItemColumnKind kind) => !reader.ReadBoolean() ? null : kind switch
    {
        ItemColumnKind.Text => reader.ReadString(),
        ItemColumnKind.Time => DateTime.FromBinary(reader.ReadInt64()),
        _ => reader.ReadInt64(),
    };
}
