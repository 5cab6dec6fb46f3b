namespace App.Web.Monitoring;

/// <summary>Settings under <c>Metrics:</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// A secret a scraper sends as <c>Authorization: Bearer …</c> to read <c>/metrics</c> without an
    /// account; unset: only administrators (session, Basic or API key) may read it.
    /// </summary>
    public string? ScrapeToken { get; set; }
}
