namespace App.Web.Shared;

/// <summary>The model of the inline job progress panel (see _JobProgressPanel.cshtml).</summary>
public sealed record JobProgressPanel(long? JobId, string OnSuccess, string Label);
