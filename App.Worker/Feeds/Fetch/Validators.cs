namespace App.Worker.Feeds.Fetch;

/// <summary>Validators from the last fetch, sent back so that an unchanged feed answers 304.</summary>
public sealed record Validators(string? ETag, string? LastModified)
{
    public static readonly Validators None = new(null, null);
}
