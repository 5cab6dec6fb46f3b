using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Support;

/// <summary>Waiting for the page a key or a click leads to, and for a page's load states.</summary>
/// <remarks>
/// Not with Playwright's own <c>WaitForURLAsync</c> and <c>WaitForLoadStateAsync</c>: its .NET
/// client checks the page's state on the caller's thread and only then listens for the event that
/// changes it, so an event delivered in between is lost and the wait runs out its 30 s for a page
/// already shown (microsoft/playwright-dotnet#3364). The river test's "u" did so in about one run
/// in ten (2026-12-03, the navigation), and CI's sign-in waited 30 s for a load event that had
/// fired (stop 36, its log: "NetworkIdle event fired", no load). Here the address is polled by
/// the browser's side (an assertion), and a load state is waited for in short waits: one that was
/// missed is still recorded, and the next wait finds it.
/// </remarks>
public static class PageNavigation
{
    // Milliseconds, as Playwright takes them.
    private const float Patience = 30_000;
    private const float Step = 1_000;

    /// <summary>Waits until <paramref name="page"/> is at <paramref name="url"/> (the whole address) and loaded.</summary>
    public static async Task WaitForPageAsync(this IPage page, string url)
    {
        await Expect(page).ToHaveURLAsync(url, new() { Timeout = Patience });
        await page.WaitForLoadedAsync();
    }

    /// <summary>Waits until <paramref name="page"/>'s address matches <paramref name="url"/> and the page is loaded.</summary>
    public static async Task WaitForPageAsync(this IPage page, Regex url)
    {
        await Expect(page).ToHaveURLAsync(url, new() { Timeout = Patience });
        await page.WaitForLoadedAsync();
    }

    /// <summary>Does <paramref name="action"/>, then waits for the page it leads to.</summary>
    public static async Task WaitForURLAfterAsync(this IPage page, Func<Task> action, string url)
    {
        await action();
        await page.WaitForPageAsync(url);
    }

    /// <summary>Does <paramref name="action"/>, then waits for the page it leads to.</summary>
    public static async Task WaitForURLAfterAsync(this IPage page, Func<Task> action, Regex url)
    {
        await action();
        await page.WaitForPageAsync(url);
    }

    /// <summary>Waits for <paramref name="state"/> of the page shown now (its load event by default).</summary>
    public static async Task WaitForLoadedAsync(this IPage page, LoadState state = LoadState.Load)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await page.WaitForLoadStateAsync(state, new() { Timeout = Step });
                return;
            }
            catch (TimeoutException) when (started.ElapsedMilliseconds < Patience)
            {
                // Either not there yet or its event was lost: the next wait tells.
            }
        }
    }
}
