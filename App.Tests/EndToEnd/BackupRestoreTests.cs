using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.EndToEnd;

/// <summary>
/// A backup taken from the command line while four worker processes drain jobs and the web accepts
/// new feeds, restored as the README says (the snapshot copied in as the database file, no -wal or
/// -shm), and served by a real web process: everything committed before the backup began is there.
/// </summary>
public sealed class BackupRestoreTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private WebApp _web = null!;
    private readonly List<RunningProcess> _processes = [];
    private string? _restoreFolder;

    public async Task InitializeAsync() => _web = await WebApp.StartAsync();

    public async Task DisposeAsync()
    {
        _processes.ForEach(p => p.Dispose());
        await _web.DisposeAsync();
        if (_restoreFolder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_restoreFolder, recursive: true);
        }
    }

    [Fact]
    public async Task SnapshotTakenUnderLoad_RestoresAndServesEverythingCommittedBeforeItBegan()
    {
        const int seededFeeds = 20, itemsPerFeed = 25, jobs = 60_000;
        var seeded = new List<long>();
        for (var i = 0; i < seededFeeds; i++)
        {
            seeded.Add((await _web.AddFeedAsync($"https://example.com/seeded/{i}.xml", itemsPerFeed, title: $"Seeded {i}")).Id);
        }
        var random = new Random(16);
        await _web.Queue.EnqueueManyAsync([.. Enumerable.Range(0, jobs)
            .Select(_ => new JobRequest(NoopHandler.JobType, $$"""{"delayMs":{{random.Next(2, 10)}},"record":true}"""))]);
        for (var i = 0; i < 4; i++)
        {
            _processes.Add(RunningProcess.StartWorker(_web.Db.ConnectionString));
        }

        // The web accepts adds the whole time (each accepted feed with the moment its answer came),
        // and the workers fetch them from a local origin and store their items.
        await using var origin = await FeedServer.StartAsync();
        using var stopAdding = new CancellationTokenSource();
        var added = new ConcurrentQueue<(long FeedId, DateTime AnsweredAt)>();
        var adding = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
        {
            for (var i = 0; !stopAdding.IsCancellationRequested; i++)
            {
                var path = $"/added/{client}/{i}.xml";
                origin.Serve(path, FeedSamples.Rss(3, title: $"Added {client}/{i}"));
                using var response = await _web.PostFeedAsync(origin.Url(path).ToString());
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                var feedId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedId").GetInt64();
                added.Enqueue((feedId, DateTime.UtcNow));
                // A person's pace, about ten adds a second in all.
                await Task.Delay(200);
            }
        })).ToList();
        await Eventually.TrueAsync(async () =>
        {
            if (adding.FirstOrDefault(a => a.IsFaulted) is { } failed)
            {
                await failed;
            }
            return await CountAsync("NoopRuns") > 1000 && await CountAsync("FeedItems") > seededFeeds * itemsPerFeed + 30;
        }, Patience, "the workers and the web to be busy");

        // What was committed before the backup began.
        var before = DateTime.UtcNow;
        var feedsBefore = added.Where(a => a.AnsweredAt < before).Select(a => a.FeedId).Concat(seeded).ToHashSet();
        HashSet<long> runsBefore;
        Dictionary<long, long[]> itemsBefore;
        await using (var db = _web.Db.Open())
        {
            itemsBefore = (await db.FeedItems.Select(i => new { i.FeedId, i.Id }).ToListAsync())
                .GroupBy(i => i.FeedId).ToDictionary(g => g.Key, g => g.Select(i => i.Id).ToArray());
            runsBefore = [.. await db.NoopRuns.Select(r => r.JobId).ToListAsync()];
        }
        var snapshot = Path.Combine(_web.Db.Folder, "snapshots", "under-load.db");
        Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);
        var runsAtStart = await CountAsync("NoopRuns");
        var addsAtStart = added.Count;

        var backup = RunningProcess.StartBackup(_web.Db.ConnectionString, snapshot);
        _processes.Add(backup);
        await backup.WaitForExitAsync(Patience);

        var runsAtEnd = await CountAsync("NoopRuns");
        var addsAtEnd = added.Count;
        await stopAdding.CancelAsync();
        await Task.WhenAll(adding);
        Assert.True(backup.ExitCode == 0, backup.Output);
        Assert.Contains($"Backup written to {snapshot}", backup.Output);
        output.WriteLine($"while the backup ran: {runsAtEnd - runsAtStart} jobs recorded by the workers, {addsAtEnd - addsAtStart} feeds added through the web");
        Assert.True(runsAtEnd > runsAtStart, "the workers kept writing during the backup");
        Assert.True(addsAtEnd > addsAtStart, "the web kept accepting adds during the backup");

        // Restore as the README says: processes stopped, the snapshot copied over the database file, no -wal/-shm.
        foreach (var worker in _processes.Where(p => !p.HasExited))
        {
            worker.Kill();
        }
        _restoreFolder = Path.Combine(Path.GetTempPath(), "app-tests", "restored-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_restoreFolder);
        var restored = Path.Combine(_restoreFolder, "app.db");
        File.Copy(snapshot, restored);
        Assert.False(File.Exists(restored + "-wal"));

        await using (var copy = new SqliteConnection($"Data Source={restored};Pooling=False"))
        {
            await copy.OpenAsync();
            Assert.Equal("ok", await ScalarAsync(copy, "PRAGMA integrity_check"));
            var runs = await IdsAsync(copy, "SELECT JobId FROM NoopRuns");
            Assert.True(runsBefore.IsSubsetOf(runs), $"{runsBefore.Except(runs).Count()} recorded job effects are missing from the copy");
            var succeeded = await IdsAsync(copy, "SELECT Id FROM Jobs WHERE State = 'succeeded' AND Type = 'noop'");
            Assert.True(runsBefore.IsSubsetOf(succeeded), "a job whose effect was recorded is not succeeded in the copy");
            // Consistent: the copy has no effect without its job's completion, nor the reverse.
            Assert.Equal(runs.Count, succeeded.Count);
        }

        // Served by a real web process on the restored file: it migrates at start, then answers.
        var web = RunningProcess.StartWeb($"Data Source={restored}");
        _processes.Add(web);
        using var client = new HttpClient { BaseAddress = await web.WaitForUrlAsync() };
        client.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials(WebApp.AdminName, WebApp.AdminPassword);
        var feeds = (await client.GetFromJsonAsync<JsonElement>("/api/feeds?limit=1000")).EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToHashSet();
        Assert.True(feedsBefore.IsSubsetOf(feeds), $"{feedsBefore.Except(feeds).Count()} of {feedsBefore.Count} feeds are missing");
        foreach (var (feedId, ids) in itemsBefore)
        {
            var items = await client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feedId}/items?limit=100");
            var served = items.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToHashSet();
            Assert.True(served.IsSupersetOf(ids), $"feed {feedId}: items {string.Join(", ", ids.Except(served))} are missing");
        }
        output.WriteLine($"restored: {feeds.Count} feeds ({feedsBefore.Count} committed before the backup), "
            + $"{itemsBefore.Values.Sum(i => i.Length)} items of {itemsBefore.Count} feeds, {runsBefore.Count} job effects");
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new SqliteConnection(_web.Db.ConnectionString);
        await connection.OpenAsync();
        return (long)(await ScalarAsync(connection, $"SELECT COUNT(*) FROM \"{table}\""))!;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<HashSet<long>> IdsAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var ids = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }
}
