using System.ComponentModel.DataAnnotations;
using App.Data.Feeds;

namespace App.Web.Feeds;

/// <summary>
/// The one setting under <c>Feeds:</c> the web needs: the default refresh interval (the worker
/// reads the same key), to reschedule a feed whose own interval a user clears.
/// </summary>
public sealed class FeedRefreshOptions
{
    public const string Section = "Feeds";

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = FeedSettings.DefaultRefreshInterval;
}
