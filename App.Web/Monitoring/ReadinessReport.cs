namespace App.Web.Monitoring;

/// <summary>The body of <c>/healthz/ready</c>.</summary>
public sealed record ReadinessReport(string Status, IReadOnlyList<ReadinessCheck> Checks);
