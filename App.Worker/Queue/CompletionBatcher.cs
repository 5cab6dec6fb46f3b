using System.Threading.Channels;
using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>
/// Group commit for jobs that finish with nothing else to write: completions that arrive while a
/// write is under way are committed together in the next one. Each stays fenced by its own
/// lease. An idle worker pays no delay: a lone completion is written at once.
/// </summary>
public sealed class CompletionBatcher
{
    private const int MaxBatch = 256;
    private readonly Channel<(Lease Lease, TaskCompletionSource<bool> Done)> _pending =
        Channel.CreateUnbounded<(Lease, TaskCompletionSource<bool>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly JobQueue _queue;
    private readonly ILogger<CompletionBatcher> _log;
    private readonly Task _loop;

    public CompletionBatcher(JobQueue queue, ILogger<CompletionBatcher> log)
    {
        _queue = queue;
        _log = log;
        _loop = Task.Run(FlushLoopAsync);
    }

    /// <summary>Completes the job held by <paramref name="lease"/>; false when the lease was lost.</summary>
    public Task<bool> CompleteAsync(Lease lease)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((lease, done)))
        {
            // Stopped: write it alone.
            return _queue.CompleteAsync(lease);
        }
        return done.Task;
    }

    /// <summary>Writes what is queued, then stops taking more.</summary>
    public async Task StopAsync()
    {
        _pending.Writer.TryComplete();
        await _loop;
    }

    private async Task FlushLoopAsync()
    {
        var batch = new List<(Lease Lease, TaskCompletionSource<bool> Done)>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            try
            {
                var won = await _queue.CompleteManyAsync(batch.Select(b => b.Lease).ToList());
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.SetResult(won[i]);
                }
            }
            catch (Exception e)
            {
                _log.LogWarning(e, "Completing {Count} job(s) failed", batch.Count);
                batch.ForEach(b => b.Done.SetException(e));
            }
            batch.Clear();
        }
    }
}
