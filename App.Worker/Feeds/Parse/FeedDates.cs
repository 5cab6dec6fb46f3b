using System.Globalization;
using System.Text.RegularExpressions;
using App.Worker.Feeds.Sanitize;

namespace App.Worker.Feeds.Parse;

/// <summary>
/// Reads the dates feeds publish: RFC 822 in its many real-world variants (named zones, no
/// seconds, two-digit years, wrong weekday names) and ISO 8601 / RFC 3339. A date without a
/// zone is taken as UTC. Anything unreadable gives null: the item is kept, the store falls back.
/// </summary>
public static partial class FeedDates
{
    private static readonly Dictionary<string, string> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GMT"] = "+00:00",
        ["UT"] = "+00:00",
        ["UTC"] = "+00:00",
        ["Z"] = "+00:00",
        ["EST"] = "-05:00",
        ["EDT"] = "-04:00",
        ["CST"] = "-06:00",
        ["CDT"] = "-05:00",
        ["MST"] = "-07:00",
        ["MDT"] = "-06:00",
        ["PST"] = "-08:00",
        ["PDT"] = "-07:00",
        ["CET"] = "+01:00",
        ["CEST"] = "+02:00",
        ["BST"] = "+01:00",
        ["IST"] = "+05:30",
        ["JST"] = "+09:00",
        ["AEST"] = "+10:00",
        ["AEDT"] = "+11:00",
    };

    private static readonly string[] Rfc822Formats =
    [
        "d MMM yyyy H:mm:ss zzz", "d MMM yyyy H:mm zzz", "d MMM yy H:mm:ss zzz", "d MMM yy H:mm zzz",
        "d MMMM yyyy H:mm:ss zzz", "d MMMM yyyy H:mm zzz", "d MMM yyyy H:mm:ss", "d MMM yyyy H:mm", "d MMM yyyy",
    ];

    /// <summary>The instant in UTC (Kind = Utc), or null when <paramref name="text"/> is no date we can read.</summary>
    public static DateTime? Parse(string? text)
    {
        var s = FeedText.Collapse(text);
        if (s is null)
        {
            return null;
        }
        if (char.IsDigit(s[0]) && s.Length >= 10 && s[4] == '-'
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
        {
            return Utc(iso);
        }
        var rfc = NormalizeRfc822(s);
        if (DateTimeOffset.TryParseExact(rfc, Rfc822Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            return Utc(parsed);
        }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var loose)
            ? Utc(loose)
            : null;
    }

    private static DateTime? Utc(DateTimeOffset value)
    {
        // Years like 0001 or 9999 are placeholders, not dates; they would sort every other item away.
        var utc = value.UtcDateTime;
        return utc.Year is < 1970 or > 2200 ? null : DateTime.SpecifyKind(utc, DateTimeKind.Utc);
    }

    private static string NormalizeRfc822(string s)
    {
        // The weekday is redundant and often wrong; drop it ("Tue, ", "Tuesday ").
        s = LeadingWeekday().Replace(s, "");
        s = s.Replace(",", " ");
        s = ZoneSuffix().Replace(s, m =>
        {
            var zone = m.Groups["zone"].Value;
            if (Zones.TryGetValue(zone, out var offset))
            {
                return " " + offset;
            }
            if (zone.Length == 5 && zone[0] is '+' or '-')
            {
                return $" {zone[..3]}:{zone[3..]}";
            }
            return " " + zone;
        });
        return FeedText.Collapse(s) ?? s;
    }

    [GeneratedRegex(@"^[A-Za-z]{3,9}\.?,?\s+(?=\d)")]
    private static partial Regex LeadingWeekday();

    [GeneratedRegex(@"\s+(?<zone>[A-Za-z]{1,4}|[+-]\d{4}|[+-]\d{2}:\d{2})$")]
    private static partial Regex ZoneSuffix();
}
