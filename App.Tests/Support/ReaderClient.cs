using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace App.Tests.Support;

/// <summary>A Google Reader client of <see cref="WebApp"/>: an API key, a ClientLogin token, and requests as apps send them.</summary>
public sealed class ReaderClient
{
    private ReaderClient(HttpClient http, string token, string key)
    {
        Http = http;
        Token = token;
        Key = key;
    }

    /// <summary>Sends <c>Authorization: GoogleLogin auth={token}</c> on every request.</summary>
    public HttpClient Http { get; }

    public string Token { get; }

    public string Key { get; }

    /// <summary>Creates an API key through <paramref name="signedIn"/> (Basic), then logs in with it as an app does.</summary>
    public static async Task<ReaderClient> LoginAsync(WebApp app, HttpClient signedIn, string username)
    {
        var created = await signedIn.PostAsJsonAsync("/api/keys", new { name = "reader app" });
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var login = await app.CreateAnonymousClient().PostAsync("/accounts/ClientLogin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = username,
            ["Passwd"] = key,
        }));
        login.EnsureSuccessStatusCode();
        var auth = (await login.Content.ReadAsStringAsync()).Split('\n').Single(l => l.StartsWith("Auth=", StringComparison.Ordinal))[5..];
        var http = app.CreateAnonymousClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("GoogleLogin", "auth=" + auth);
        return new ReaderClient(http, auth, key);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>POSTs a form body written as the client writes it (repeated keys, unescaped ids).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string form) =>
        Http.PostAsync(path, new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
}
