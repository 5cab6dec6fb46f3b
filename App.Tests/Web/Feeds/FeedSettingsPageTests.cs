using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Feeds;

/// <summary><c>/feeds/{id}/settings</c>: the form, its messages, who may change what, and where the name shows.</summary>
public abstract class FeedSettingsPageTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Settings(long id) => $"/feeds/{id}/settings";

    private static Dictionary<string, string> Form(string title = "", string interval = "", string agent = "", bool disabled = false) => new()
    {
        ["Title"] = title,
        ["RefreshIntervalMinutes"] = interval,
        ["UserAgent"] = agent,
        ["Disabled"] = disabled ? "true" : "false",
    };

    private async Task<Feed> StoredAsync(long id)
    {
        await using var db = _app.Db.Open();
        return await db.Feeds.AsNoTracking().SingleAsync(f => f.Id == id);
    }

    [Fact]
    public async Task TheFeedPage_LinksToItsSettings_WhoseFormShowsTheStoredValues()
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed", title: "A");
        await using (var db = _app.Db.Open())
        {
            await db.Feeds.Where(f => f.Id == feed.Id).ExecuteUpdateAsync(s => s
                .SetProperty(f => f.RefreshIntervalMinutes, 90).SetProperty(f => f.UserAgent, "Agent/7"));
        }

        Assert.Contains($"href=\"{Settings(feed.Id)}\"", await _app.Client.GetStringAsync($"/feeds/{feed.Id}"));
        var page = await _app.Client.GetStringAsync(Settings(feed.Id));

        Assert.Contains("name=\"__RequestVerificationToken\"", page);
        Assert.Contains("value=\"90\"", page);
        Assert.Contains("value=\"Agent/7\"", page);
        Assert.Contains("placeholder=\"A\"", page);
        Assert.DoesNotContain("data-fetch-locked", page);
    }

    [Fact]
    public async Task Saving_StoresEveryField_AndGoesBackToTheFeed_WhichSaysItIsDisabled()
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed", title: "A");

        var response = await _app.PostFormAsync(Settings(feed.Id), Settings(feed.Id),
            Form(title: "My A", interval: "240", agent: "Agent/2 (+https://me.example)", disabled: true));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/feeds/{feed.Id}", response.Headers.Location?.OriginalString);
        var stored = await StoredAsync(feed.Id);
        Assert.Equal((240, "Agent/2 (+https://me.example)", true), (stored.RefreshIntervalMinutes, stored.UserAgent, stored.Disabled));
        var feedPage = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        Assert.Contains("Settings saved.", feedPage);
        Assert.Contains("data-feed-disabled", feedPage);
        Assert.Contains("My A", feedPage);
        Assert.Contains(">Disabled</span>", await _app.Client.GetStringAsync("/"));

        // Emptied fields go back to the defaults.
        await _app.PostFormAsync(Settings(feed.Id), Settings(feed.Id), Form());
        stored = await StoredAsync(feed.Id);
        Assert.Equal((null, null, false), (stored.RefreshIntervalMinutes, stored.UserAgent, stored.Disabled));
        Assert.Equal("A", (await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}")).GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("5", "", "The refresh interval is between 15 minutes and 24 hours")]
    [InlineData("1500", "", "not 1500 minutes")]
    [InlineData("an hour", "", "a whole number of minutes")]
    [InlineData("60", "Agent/1 ünïcode", "printable ASCII")]
    public async Task AValueThatCannotBeStored_Is400_WithItsMessageAtTheField_AndNothingStored(string interval, string agent, string message)
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed", title: "A");

        var response = await _app.PostFormAsync(Settings(feed.Id), Settings(feed.Id), Form(title: "Renamed", interval: interval, agent: agent));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, page);
        Assert.Contains("class=\"field-error field-validation-error\"", page);
        Assert.Contains("value=\"Renamed\"", page);
        var stored = await StoredAsync(feed.Id);
        Assert.Equal((null, null), (stored.RefreshIntervalMinutes, stored.UserAgent));
        Assert.Equal("A", (await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task OnAFeedOthersFollow_AReaderWhoIsNoAdministrator_SeesTheFetchSettingsLocked_AndSavesOnlyTheirName()
    {
        var (anaId, ana) = await _app.CreateUserAsync("ana");
        var feed = await _app.Db.AddFeedAsync("https://a.example/feed", title: "A");
        await _app.Db.SubscribeAsync(anaId, feed.Id);
        await _app.Db.SubscribeAsync(await _app.AdminIdAsync(), feed.Id);

        var page = await ana.GetStringAsync(Settings(feed.Id));
        Assert.Contains("data-fetch-locked", page);
        Assert.Contains("disabled=\"disabled\"", page);

        var response = await _app.PostFormAsync(Settings(feed.Id), Settings(feed.Id), Form(title: "Ana's A", interval: "15", disabled: true), ana);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var stored = await StoredAsync(feed.Id);
        Assert.Equal((null, false), (stored.RefreshIntervalMinutes, stored.Disabled));
        Assert.Equal("Ana's A", (await ana.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}")).GetProperty("title").GetString());
        // The administrator's page offers the fields.
        Assert.DoesNotContain("data-fetch-locked", await _app.Client.GetStringAsync(Settings(feed.Id)));
    }

    [Fact]
    public async Task AnotherUsersFeedsSettings_Are404()
    {
        var (_, ana) = await _app.CreateUserAsync("ana");
        var feed = await _app.AddFeedAsync("https://a.example/feed");

        Assert.Equal(HttpStatusCode.NotFound, (await ana.GetAsync(Settings(feed.Id))).StatusCode);
    }

    [Fact]
    public async Task TheNameGivenOnTheSettingsPage_ShowsInTheFeedsList_TheApi_AndTheGoogleReaderSubscriptions()
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed", title: "Original title");

        await _app.PostFormAsync(Settings(feed.Id), Settings(feed.Id), Form(title: "My own name"));

        Assert.Contains("My own name", await _app.Client.GetStringAsync("/"));
        var listed = await _app.Client.GetFromJsonAsync<JsonElement>("/api/feeds");
        Assert.Equal("My own name", listed[0].GetProperty("title").GetString());
        var reader = await ReaderClient.LoginAsync(_app, _app.Client, WebApp.AdminName);
        var subscriptions = await reader.Http.GetFromJsonAsync<JsonElement>("/reader/api/0/subscription/list?output=json");
        Assert.Equal("My own name", subscriptions.GetProperty("subscriptions")[0].GetProperty("title").GetString());
    }
}

public sealed class FeedSettingsPageTestsOnSqlite() : FeedSettingsPageTests(DatabaseEngine.Sqlite);

public sealed class FeedSettingsPageTestsOnPostgres() : FeedSettingsPageTests(DatabaseEngine.Postgres);
