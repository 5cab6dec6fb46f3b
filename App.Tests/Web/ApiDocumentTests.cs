using System.Net;
using System.Text.Json;
using App.Tests.Support;

namespace App.Tests.Web;

public sealed class ApiDocumentTests : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task OpenApiDocument_DescribesTheApi_AndBothWaysToAuthenticate()
    {
        var response = await _app.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/feeds", "/api/feeds/{id}", "/api/items", "/api/items/{id}", "/api/jobs/{id}", "/api/keys", "/api/users", "/api/queue" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is not described");
        }
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("basic", schemes.GetProperty("basic").GetProperty("scheme").GetString());
        Assert.Equal("header", schemes.GetProperty("apiKey").GetProperty("in").GetString());
        Assert.Equal("X-Auth-Token", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        var security = doc.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["apiKey", "basic"], security.Order());
    }

    [Fact]
    public async Task OpenApiDocument_NeedsAUser()
    {
        var response = await _app.CreateAnonymousClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }
}
