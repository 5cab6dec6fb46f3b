using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace App.Tests.Support;

/// <summary>Waiting for the page a key or a click leads to.</summary>
/// <remarks>
/// The wait starts before the action. Playwright's .NET client compares the page's URL and only
/// then listens for navigations, so a fast navigation that lands in between is never seen: the
/// river test's "u" waited 30 s for a page already shown, in about one run in ten of its four
/// tests (2026-12-03). Playwright's own RunAndWaitForNavigationAsync is deprecated.
/// </remarks>
public static class PageNavigation
{
    public static async Task WaitForURLAfterAsync(this IPage page, Func<Task> action, string url)
    {
        var navigated = page.WaitForURLAsync(url);
        await action();
        await navigated;
    }

    public static async Task WaitForURLAfterAsync(this IPage page, Func<Task> action, Regex url)
    {
        var navigated = page.WaitForURLAsync(url);
        await action();
        await navigated;
    }
}
