using System.Net;
using System.Net.Sockets;
using System.Text;

namespace App.Bench.Feeds;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 that answers every request with one fixed body.</summary>
public sealed class StaticOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _body;
    private readonly string _contentType;
    private readonly Task _loop;

    public StaticOrigin(byte[] body, string contentType = "application/rss+xml; charset=utf-8")
    {
        _body = body;
        _contentType = contentType;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
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
            var stream = client.GetStream();
            var request = new byte[8192];
            var seen = new StringBuilder();
            // Read the request head; the body of a GET is empty.
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(request, _stop.Token);
                if (read == 0)
                {
                    return;
                }
                seen.Append(Encoding.ASCII.GetString(request, 0, read));
            }
            var head = $"HTTP/1.1 200 OK\r\nContent-Type: {_contentType}\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
            await stream.WriteAsync(_body, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
