using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace App.Tests.Support;

/// <summary>Requests as the pages' scripts and forms send them, token included.</summary>
public static partial class PageScripts
{
    /// <summary>
    /// GETs <paramref name="pagePath"/>, then POSTs <paramref name="fields"/> to <paramref name="action"/>
    /// as page-post.js does: the token from the layout's meta tag in the RequestVerificationToken
    /// header, asking for JSON.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsScriptAsync(
        this WebApp app, string pagePath, string action, IReadOnlyDictionary<string, string>? fields = null)
    {
        var page = await app.Client.GetStringAsync(pagePath);
        var token = MetaToken().Match(page);
        Assert.True(token.Success, $"no token meta tag on {pagePath}");
        using var request = new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(fields ?? new Dictionary<string, string>()),
        };
        request.Headers.Add("RequestVerificationToken", token.Groups[1].Value);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await app.Client.SendAsync(request);
    }

    /// <summary>Uploads <paramref name="content"/> as the <c>Upload</c> file of the form on <c>/opml</c>.</summary>
    public static async Task<HttpResponseMessage> UploadOpmlAsync(
        this WebApp app, byte[] content, string fileName = "feeds.opml", HttpClient? client = null)
    {
        client ??= app.Client;
        var page = await client.GetStringAsync("/opml");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebApp.AntiforgeryToken(page)), "__RequestVerificationToken" },
        };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/x-opml");
        form.Add(file, "Upload", fileName);
        return await client.PostAsync("/opml", form);
    }

    [GeneratedRegex("<meta name=\"request-verification-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();

}
