using System.Globalization;

namespace App.Web.GoogleReader;

/// <summary>
/// Item ids as Google Reader clients write them. This server sends decimal ids in id lists
/// (<c>stream/items/ids</c>) and the long form <c>tag:google.com,2005:reader/item/%016x</c> in
/// contents, and accepts those two and the bare 16-digit hexadecimal form (NetNewsWire's
/// <c>edit-tag</c> sends <c>%.16llx</c>). A short id of decimal digits is decimal, as FreshRSS and
/// Miniflux read it; a short one with the letters a-f can only be hexadecimal.
/// </summary>
public static class ReaderItemIds
{
    public const string LongPrefix = "tag:google.com,2005:reader/item/";

    public static string Long(long itemId) => LongPrefix + itemId.ToString("x16", CultureInfo.InvariantCulture);

    public static string Decimal(long itemId) => itemId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The item id written in any of the accepted forms; null when it is none of them.</summary>
    public static long? Parse(string? value)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (value.StartsWith(LongPrefix, StringComparison.Ordinal))
        {
            return Hex(value[LongPrefix.Length..]);
        }
        if (value.Length == 16 && value.All(char.IsAsciiHexDigit))
        {
            return Hex(value);
        }
        if (value.All(char.IsAsciiDigit))
        {
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        return Hex(value);
    }

    private static long? Hex(string value) =>
        value.Length is > 0 and <= 16 && long.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id) && id >= 0
            ? id
            : null;
}
