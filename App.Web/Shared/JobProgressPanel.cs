namespace App.Web.Shared;

/// <summary>
/// The model of the inline job progress panel (see _JobProgressPanel.cshtml): the job, if one is
/// known when the page is made, with its state (lower-case name), so that the page is right before
/// the script's first poll and without JS.
/// </summary>
public sealed record JobProgressPanel(long? JobId, string? State, string OnSuccess, string Label);
