using System.Diagnostics.CodeAnalysis;

namespace App.Web.Feeds;

/// <summary>What a feed address must look like, and its one stored form.</summary>
public static class FeedUrl
{
    /// <summary>Longest address accepted; the column holds 2048 characters.</summary>
    public const int MaxLength = 2048;

    /// <summary>
    /// Accepts an absolute http or https address and returns it normalised: trimmed, scheme and
    /// host in lower case, default port and fragment dropped, so that one feed has one spelling.
    /// </summary>
    public static bool TryNormalize(
        string? input, [NotNullWhen(true)] out string? url, [NotNullWhen(false)] out string? error)
    {
        url = null;
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "Enter the feed's address.";
            return false;
        }
        if (text.Length > MaxLength)
        {
            error = $"The address is too long (at most {MaxLength} characters).";
            return false;
        }
        // On Unix "/path" parses as an absolute file: URI, hence the scheme check rather than UriKind alone.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !IsHttp(uri) || uri.Host.Length == 0)
        {
            error = "Enter an absolute http or https address, such as https://example.com/feed.xml.";
            return false;
        }
        if (uri.UserInfo.Length > 0)
        {
            error = "Addresses with a user name or password are not supported.";
            return false;
        }
        // Uri already lower-cases scheme and host and drops a default port.
        var normalized = uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Fragment, UriFormat.UriEscaped);
        if (normalized.Length > MaxLength)
        {
            error = $"The address is too long (at most {MaxLength} characters).";
            return false;
        }
        url = normalized;
        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="link"/> is an absolute http(s) address, safe for an href.</summary>
    public static bool IsHttp([NotNullWhen(true)] string? link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && IsHttp(uri);

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;
}
