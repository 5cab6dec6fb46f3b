namespace App.Web.Monitoring;

/// <summary>One named check: its status and, when it fails, why.</summary>
public sealed record ReadinessCheck(string Name, string Status, string? Reason);
