using System.ComponentModel.DataAnnotations;

namespace App.Web.Monitoring;

/// <summary>Settings under <c>Health:</c>: when <c>/healthz/ready</c> says the install is degraded.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>No worker has reported in for this long: jobs are not being run.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WorkerStaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The oldest due job has waited this long: the workers do not keep up (or are stuck).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxDueWait { get; set; } = TimeSpan.FromMinutes(5);
}
