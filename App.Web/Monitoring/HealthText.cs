using System.Globalization;

namespace App.Web.Monitoring;

/// <summary>Durations as the readiness report says them: "45 s", "12 min", "3 h".</summary>
public static class HealthText
{
    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):0} s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h"),
    };
}
