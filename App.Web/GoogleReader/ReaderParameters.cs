using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace App.Web.GoogleReader;

/// <summary>
/// A Google Reader request's parameters: clients put them in the query string or in a form body
/// (newsboat and NetNewsWire post forms, Read You adds some to the query), often repeated
/// (<c>i</c>, <c>a</c>, <c>r</c>, <c>s</c>, <c>xt</c>), so both are read and merged.
/// </summary>
public sealed class ReaderParameters
{
    private readonly Dictionary<string, StringValues> _values = new(StringComparer.Ordinal);

    private ReaderParameters()
    {
    }

    public static async Task<ReaderParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var parameters = new ReaderParameters();
        foreach (var (key, value) in request.Query)
        {
            parameters._values[key] = value;
        }
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync(ct))
            {
                parameters._values[key] = parameters._values.TryGetValue(key, out var query) ? StringValues.Concat(query, value) : value;
            }
        }
        return parameters;
    }

    public string? this[string name] => _values.TryGetValue(name, out var value) && value.Count > 0 ? value[^1] : null;

    public IReadOnlyList<string> All(string name) =>
        _values.TryGetValue(name, out var value) ? [.. value.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)] : [];

    public int Int(string name, int fallback) =>
        int.TryParse(this[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public long? Long(string name) =>
        long.TryParse(this[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A Unix time in seconds; NetNewsWire sends a fraction (<c>1700000000.5</c>).</summary>
    public double? Seconds(string name) =>
        double.TryParse(this[name], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    /// <summary>Whether the client asked for JSON (<c>output=json</c>); the default output of most endpoints anyway.</summary>
    public bool WantsJson => string.Equals(this["output"], "json", StringComparison.OrdinalIgnoreCase);
}
