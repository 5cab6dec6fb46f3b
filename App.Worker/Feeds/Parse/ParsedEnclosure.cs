namespace App.Worker.Feeds.Parse;

/// <summary>An attached media file (a podcast episode).</summary>
public sealed record ParsedEnclosure(string Url, string? MediaType, long? Length);
