using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace App.Bench.Feeds;

/// <summary>
/// Many sites of feeds, each a loopback address of its own (127.0.0.2, 127.0.0.3, …) so that a
/// fetcher's per-host limits apply per site, answering every request after a fixed delay like a
/// distant server. <c>/feeds/{n}.xml</c> is feed n, an RSS document of its own items; any other
/// path is a 404 (what a feed's icon look-up finds). HTTP/1.1 with keep-alive.
/// </summary>
public sealed class SlowOrigin : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly TimeSpan _delay;
    private readonly int _items;
    private long _served;

    public SlowOrigin(int sites, TimeSpan delay, int itemsPerFeed)
    {
        _delay = delay;
        _items = itemsPerFeed;
        for (var site = 0; site < sites; site++)
        {
            var listener = new TcpListener(new IPAddress([127, 0, (byte)((site + 2) / 256), (byte)((site + 2) % 256)]), 0);
            listener.Start(512);
            _listeners.Add(listener);
            _loops.Add(Task.Run(() => AcceptAsync(listener)));
        }
    }

    public int Sites => _listeners.Count;

    /// <summary>Requests answered so far.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>The address of feed <paramref name="feed"/> on site <paramref name="site"/>.</summary>
    public Uri FeedUrl(int site, long feed)
    {
        var endpoint = (IPEndPoint)_listeners[site].LocalEndpoint;
        return new Uri($"http://{endpoint.Address}:{endpoint.Port}/feeds/{feed}.xml");
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, false, 4096, leaveOpen: true);
                // One request after another on the connection, as long as the client keeps it.
                while (await reader.ReadLineAsync(_stop.Token) is { } requestLine)
                {
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
                    {
                    }
                    var path = requestLine.Split(' ')[1];
                    var host = ((IPEndPoint)client.Client.LocalEndPoint!).ToString();
                    await Task.Delay(_delay, _stop.Token);
                    var body = Body(path, host);
                    var head = body is null
                        ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                        : $"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nContent-Length: {body.Length}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                    if (body is not null)
                    {
                        await stream.WriteAsync(body, _stop.Token);
                    }
                    Interlocked.Increment(ref _served);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The client went away, or the origin stops.
            }
        }
    }

    /// <summary>Feed n's document: its own items, newest first, an hour apart, each with a paragraph of HTML.</summary>
    private byte[]? Body(string path, string host)
    {
        if (!path.StartsWith("/feeds/", StringComparison.Ordinal) || !path.EndsWith(".xml", StringComparison.Ordinal)
            || !long.TryParse(path["/feeds/".Length..^".xml".Length], CultureInfo.InvariantCulture, out var feed))
        {
            return null;
        }
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Feed {feed}</title><link>http://{host}/</link><description>Bench feed {feed}</description>\n");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var n = _items; n >= 1; n--)
        {
            text.Append(CultureInfo.InvariantCulture, $"""
                <item><title>Item {n} of feed {feed}</title><link>http://{host}/posts/{feed}/{n}</link><guid>feed-{feed}-item-{n}</guid>
                <pubDate>{start.AddHours(n):R}</pubDate>
                <description><![CDATA[<p>Paragraph {n} of feed {feed}, with <a href="/rel/{n}">a relative link</a>, <b>bold</b> and <em>emphasised</em> text, long enough to be an excerpt.</p><p>A second paragraph.</p>]]></description></item>

                """);
        }
        text.Append("</channel></rss>\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listeners.ForEach(l => l.Stop());
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
