using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Data;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Accounts;

/// <summary>Someone can always sign in to a new install, and an install from before accounts keeps its feeds.</summary>
public abstract partial class FirstAdministratorTests(DatabaseEngine engine)
{
    [Fact]
    public async Task AFreshInstall_WithoutSettings_PrintsAGeneratedAdministratorPasswordOnce_ThatSignsIn()
    {
        using var db = await TempDatabase.CreateAsync(engine);
        string password;
        using (var web = RunningProcess.StartWeb(db.ConnectionString))
        {
            var url = await web.WaitForUrlAsync();
            var printed = GeneratedPassword().Match(web.Output);
            Assert.True(printed.Success, "no generated password in:\n" + web.Output);
            password = printed.Groups[1].Value;
            using var client = new HttpClient { BaseAddress = url };
            client.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials("admin", password);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/feeds")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/queue")).StatusCode);
            // Never in a log line: only the console banner has it.
            Assert.Single(web.Output.Split('\n'), l => l.Contains(password, StringComparison.Ordinal));
        }

        using var again = RunningProcess.StartWeb(db.ConnectionString);
        await again.WaitForUrlAsync();

        Assert.DoesNotContain("First sign-in", again.Output);
        await using var context = db.Open();
        Assert.Equal(1, await context.Users.CountAsync());
    }

    [Fact]
    public async Task ConfiguredAdministrator_IsCreatedOnce_AndAnExistingUserIsLeftAsItIs()
    {
        using var db = await TempDatabase.CreateAsync(engine);
        var settings = new Dictionary<string, string> { ["Auth:AdminUsername"] = "root", ["Auth:AdminPassword"] = "first password" };
        using (var web = RunningProcess.StartWeb(db.ConnectionString, settings))
        {
            await web.WaitForUrlAsync();
            Assert.DoesNotContain("First sign-in", web.Output);
        }
        settings["Auth:AdminPassword"] = "second password";

        using var again = RunningProcess.StartWeb(db.ConnectionString, settings);
        var url = await again.WaitForUrlAsync();

        using var first = new HttpClient { BaseAddress = url };
        first.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials("root", "first password");
        using var second = new HttpClient { BaseAddress = url };
        second.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials("root", "second password");
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/queue")).StatusCode);
    }

    [GeneratedRegex("First sign-in: username \"admin\", password \"([^\"]+)\"")]
    protected static partial Regex GeneratedPassword();
}

/// <summary>
/// Upgrades of an install from before accounts exist on SQLite only: PostgreSQL support began
/// after accounts (its first migration already has users), so there is no such install there.
/// </summary>
public sealed class FirstAdministratorTestsOnSqlite() : FirstAdministratorTests(DatabaseEngine.Sqlite)
{
    [Fact]
    public async Task AnInstallFromBeforeAccounts_KeepsItsFeedsReadMarksAndImports_ForTheAdministrator()
    {
        using var db = await TempDatabase.CreateAtAsync("20261127125024_FeedIcons");
        using (var connection = new SqliteConnection(db.ConnectionString))
        {
            connection.Open();
            using var seed = connection.CreateCommand();
            seed.CommandText = """
                INSERT INTO "Feeds" ("Id", "Url", "Title", "CreatedAt", "ConsecutiveFailures") VALUES (7, 'https://old.example/feed.xml', 'Old feed', '2026-01-01 00:00:00', 0);
                INSERT INTO "FeedItems" ("Id", "FeedId", "Key", "Title", "CreatedAt", "ReadAt") VALUES
                    (1, 7, 'guid:1', 'Read one', '2026-01-01 00:00:00', '2026-01-02 00:00:00'),
                    (2, 7, 'guid:2', 'Unread one', '2026-01-01 00:00:00', NULL),
                    (3, 7, 'guid:3', 'Unread two', '2026-01-01 00:00:00', NULL);
                INSERT INTO "JobBatches" ("Id", "Name", "CreatedAt", "PurgedSucceeded", "PurgedFailed", "PurgedCancelled")
                    VALUES (5, 'Import of old.opml', '2026-01-01 00:00:00', 1, 0, 0);
                """;
            seed.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        await using var factory = WebApp.CreateFactory(db);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials(WebApp.AdminName, WebApp.AdminPassword);

        var feed = await client.GetFromJsonAsync<JsonElement>("/api/feeds/7");
        var unread = await client.GetFromJsonAsync<JsonElement>("/api/items?unread=true");
        var batch = await client.GetAsync("/api/batches/5");

        Assert.Equal("Old feed", feed.GetProperty("title").GetString());
        Assert.Equal(3, feed.GetProperty("itemCount").GetInt32());
        Assert.Equal(2, feed.GetProperty("unreadCount").GetInt32());
        Assert.Equal([3L, 2L], unread.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        await using var context = db.Open();
        var admin = await context.Users.SingleAsync();
        Assert.True(admin.IsAdmin);
        Assert.NotNull(admin.PasswordHash);
    }

    [Fact]
    public async Task AnInstallFromBeforeAccounts_WithoutSettings_GetsAGeneratedPasswordForItsAdministrator()
    {
        using var db = await TempDatabase.CreateAtAsync("20261127125024_FeedIcons");
        // Seeded in that release's schema: the current model has columns it did not.
        using (var connection = new SqliteConnection(db.ConnectionString))
        {
            connection.Open();
            using var seed = connection.CreateCommand();
            seed.CommandText = """
                INSERT INTO "Feeds" ("Id", "Url", "CreatedAt", "ConsecutiveFailures") VALUES (1, 'https://old.example/feed.xml', '2026-01-01 00:00:00', 0);
                INSERT INTO "FeedItems" ("Id", "FeedId", "Key", "Title", "CreatedAt") VALUES (1, 1, 'guid:1', 'Item 1', '2026-01-01 00:00:00');
                """;
            seed.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        using var web = RunningProcess.StartWeb(db.ConnectionString);
        var url = await web.WaitForUrlAsync();

        var printed = GeneratedPassword().Match(web.Output);
        Assert.True(printed.Success, "no generated password in:\n" + web.Output);
        using var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials("admin", printed.Groups[1].Value);
        var feeds = await client.GetFromJsonAsync<JsonElement>("/api/feeds");
        Assert.Equal(1, feeds.GetArrayLength());
    }
}

public sealed class FirstAdministratorTestsOnPostgres() : FirstAdministratorTests(DatabaseEngine.Postgres);
