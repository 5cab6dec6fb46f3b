using System.Text;
using Microsoft.Win32.SafeHandles;

namespace App.Worker.Feeds.Fetch;

/// <summary>
/// A fetched response body. Up to <see cref="InMemoryLimit"/> it is held as bytes; beyond, it
/// is written to a temporary file as it arrives and read back from there, so that a 10 MiB feed
/// is not resident while it is parsed (docs/feeds.md, memory). The file has no name from the
/// moment it is created, so nothing is left behind even if the process is killed.
/// </summary>
public sealed class FeedBody : IDisposable
{
    /// <summary>Bodies up to this size stay in memory: most feeds, and every page a feed is discovered from.</summary>
    public const int InMemoryLimit = 1024 * 1024;

    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _bytes;
    private readonly FileStream? _file;

    public FeedBody(byte[] bytes)
    {
        _bytes = bytes;
    }

    private FeedBody(FileStream file)
    {
        _bytes = [];
        _file = file;
    }

    public static FeedBody Empty { get; } = new([]);

    public long Length => _file?.Length ?? _bytes.Length;

    /// <summary>Tests and callers that have the bytes already.</summary>
    public static implicit operator FeedBody(byte[] bytes) => new(bytes);

    /// <summary>
    /// Reads <paramref name="source"/> to its end; throws what <paramref name="tooLarge"/> makes as
    /// soon as more than <paramref name="max"/> bytes arrive.
    /// </summary>
    public static async Task<FeedBody> ReadAsync(Stream source, long max, long? declaredLength, Func<Exception> tooLarge, CancellationToken ct)
    {
        // Sized from Content-Length when given, so that a body is held once rather than grown and copied.
        var memory = new MemoryStream(declaredLength > InMemoryLimit ? 0 : (int)(declaredLength ?? 0));
        var file = declaredLength > InMemoryLimit ? CreateTempFile() : null;
        try
        {
            var chunk = new byte[ChunkSize];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(chunk, ct)) > 0)
            {
                total += read;
                if (total > max)
                {
                    throw tooLarge();
                }
                if (file is null && total > InMemoryLimit)
                {
                    file = CreateTempFile();
                    memory.Position = 0;
                    await memory.CopyToAsync(file, ct);
                    memory = new MemoryStream(0);
                }
                await (file ?? (Stream)memory).WriteAsync(chunk.AsMemory(0, read), ct);
            }
            if (file is not null)
            {
                await file.FlushAsync(ct);
                return new FeedBody(file);
            }
            return new FeedBody(memory.Length == memory.Capacity ? memory.GetBuffer() : memory.ToArray());
        }
        catch
        {
            file?.Dispose();
            throw;
        }
    }

    /// <summary>The first <paramref name="count"/> bytes (fewer if the body is shorter).</summary>
    public byte[] Head(int count)
    {
        if (_file is null)
        {
            return _bytes.Length > count ? _bytes[..count] : _bytes;
        }
        using var stream = Open();
        var head = new byte[Math.Min(count, Length)];
        stream.ReadExactly(head);
        return head;
    }

    /// <summary>All of it as one array: for documents that are read whole (web pages, JSON).</summary>
    public byte[] ToArray() => _file is null ? _bytes : Head(checked((int)Length));

    /// <summary>A new stream over the body from its start.</summary>
    public Stream Open() => _file is null
        ? new MemoryStream(_bytes, writable: false)
        : new BufferedStream(new FileReader(_file.SafeFileHandle, _file.Length), ChunkSize);

    /// <summary>Whether the body from <paramref name="offset"/> on is valid UTF-8, checked without holding its text.</summary>
    public bool IsUtf8(int offset)
    {
        if (_file is null)
        {
            return System.Text.Unicode.Utf8.IsValid(_bytes.AsSpan(offset));
        }
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        using var stream = Open();
        stream.Position = offset;
        var bytes = new byte[ChunkSize];
        var chars = new char[ChunkSize + 4];
        try
        {
            int read;
            while ((read = stream.Read(bytes)) > 0)
            {
                decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            }
            decoder.GetChars(bytes, 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    public void Dispose() => _file?.Dispose();

    private static FileStream CreateTempFile() => TempFile.Create("feed-body", ChunkSize);

    /// <summary>Reads the body's file through the writer's handle (the file has no name to open again); leaves the handle open.</summary>
    private sealed class FileReader(SafeFileHandle handle, long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = RandomAccess.Read(handle, buffer[..(int)Math.Min(buffer.Length, Math.Max(0, length - Position))], Position);
            Position += read;
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
