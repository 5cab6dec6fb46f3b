using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace App.Web.GoogleReader;

/// <summary>
/// A Google Reader request's parameters: clients put them in the query string or in a form body
/// (newsboat and NetNewsWire post forms, Read You adds some to the query), often repeated
/// (<c>i</c>, <c>a</c>, <c>r</c>, <c>s</c>, <c>xt</c>), so both are read and merged. Names are
/// case-sensitive here, unlike ASP.NET Core's form and query collections: <c>T</c> is the action
/// token and <c>t</c> a title, in one request.
/// </summary>
public sealed class ReaderParameters
{
    /// <summary>A form body larger than this is refused: thousands of item ids fit many times over.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    private ReaderParameters()
    {
    }

    public static async Task<ReaderParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var parameters = new ReaderParameters();
        parameters.Add(request.QueryString.Value);
        if (request.HasFormContentType && request.ContentLength is null or <= MaxBodyBytes)
        {
            request.EnableBuffering(MaxBodyBytes);
            request.Body.Position = 0;
            using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8, leaveOpen: true);
            var body = await reader.ReadToEndAsync(ct);
            request.Body.Position = 0;
            parameters.Add(body.Length <= MaxBodyBytes ? body : null);
        }
        return parameters;
    }

    private void Add(string? encoded)
    {
        foreach (var pair in new QueryStringEnumerable(encoded))
        {
            var name = pair.DecodeName().ToString();
            if (!_values.TryGetValue(name, out var values))
            {
                _values[name] = values = [];
            }
            values.Add(pair.DecodeValue().ToString());
        }
    }

    public string? this[string name] => _values.TryGetValue(name, out var value) && value.Count > 0 ? value[^1] : null;

    public IReadOnlyList<string> All(string name) =>
        _values.TryGetValue(name, out var value) ? [.. value.Where(v => v.Length > 0)] : [];

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
