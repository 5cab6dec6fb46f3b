namespace App.Worker.Articles;

/// <summary>An extraction's outcome: the sanitized article's HTML, or a readable <see cref="Error"/>.</summary>
public sealed record ArticleResult(string? Html, string? Error)
{
    public static ArticleResult Failed(string error) => new(null, error);
}
