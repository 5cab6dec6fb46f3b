namespace App.Web.GoogleReader;

/// <summary>
/// The Google Reader API that sync apps speak (NetNewsWire, Reeder, Read You, newsboat, FeedMe…):
/// <c>/accounts/ClientLogin</c> for a token from a username and an API key, then
/// <c>/reader/api/0/…</c> and <c>/reader/atom/…</c> signed in with that token
/// (<see cref="Accounts.GoogleLoginHandler"/>). Where clients and servers disagree, this follows
/// FreshRSS; what each endpoint takes is in its file.
/// </summary>
public static class GoogleReaderSetup
{
    public static WebApplication MapGoogleReader(this WebApplication app)
    {
        app.MapClientLogin();
        var api = app.MapGroup("/reader/api/0").WithTags("Google Reader").ExcludeFromDescription();
        api.MapReaderSubscriptions();
        api.MapReaderStreams();
        app.MapReaderAtom();
        return app;
    }
}
