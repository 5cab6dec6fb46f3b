using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;
using Microsoft.Data.Sqlite;

namespace App.Tests.Web;

public abstract class ErrorResponsesTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Healthz_Returns200_WhenTheDatabaseIsReadable()
    {
        var response = await _app.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_Returns503_WhenTheDatabaseIsGone()
    {
        await RemoveDatabaseAsync();

        // A probe, which signs in as nobody.
        var response = await _app.CreateAnonymousClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task UnhandledException_Returns500ProblemWithoutExceptionDetails()
    {
        await RemoveDatabaseAsync();

        var response = await _app.Client.GetAsync("/api/feeds");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(500, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Sqlite", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Npgsql", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("exception", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public async Task UnknownApiRoute_Returns404Problem()
    {
        var response = await _app.Client.GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task UnknownPage_Returns404HtmlPage()
    {
        var response = await _app.Client.GetAsync("/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Not found", await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The database goes under the running app. SQLite: the file is deleted, and the next open
    /// creates an empty one without tables. PostgreSQL: the database is dropped, its sessions
    /// (the app's pooled connections among them) ended, and the next open is refused.
    /// </summary>
    private async Task RemoveDatabaseAsync()
    {
        if (engine == DatabaseEngine.Postgres)
        {
            await PostgresServer.DropDatabaseAsync(_app.Db.ConnectionString);
            return;
        }
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_app.Db.Path + suffix);
        }
    }
}

public sealed class ErrorResponsesTestsOnSqlite() : ErrorResponsesTests(DatabaseEngine.Sqlite);

public sealed class ErrorResponsesTestsOnPostgres() : ErrorResponsesTests(DatabaseEngine.Postgres);
