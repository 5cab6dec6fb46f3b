using System.Globalization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace App.Web.Shared;

/// <summary>How pages show a time: a &lt;time&gt; in UTC, which local-time.js rewrites in the reader's time zone.</summary>
public static class TimeHtml
{
    public static IHtmlContent Time(this IHtmlHelper html, DateTime? utc, string ifNone = "never")
    {
        if (utc is not { } time)
        {
            return new StringHtmlContent(ifNone);
        }
        var tag = new TagBuilder("time");
        tag.Attributes["datetime"] = time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        tag.InnerHtml.Append(time.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        return tag;
    }

    /// <summary>A &lt;time&gt; that relative-time.js shows as "3 min ago" (the local time as its tooltip).</summary>
    public static IHtmlContent RelativeTime(this IHtmlHelper html, DateTime? utc, string ifNone = "never")
    {
        if (html.Time(utc, ifNone) is TagBuilder tag)
        {
            tag.Attributes["data-relative"] = "";
            return tag;
        }
        return new StringHtmlContent(ifNone);
    }
}
