using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace App.Web.Accounts;

/// <summary>
/// The users of credentials that succeeded lately (a Basic username and password, an API key, a
/// session's user id), so that a script calling the API many times a second costs no database
/// read per request. Any change to an account in this process (a password set, a user deleted, a
/// key revoked) forgets them all at once, so it applies to the next request; another web process
/// sharing the database notices within <see cref="AuthOptions.SignInCacheDuration"/>. Failures are
/// never remembered.
/// </summary>
public sealed class RecentSignIns(IMemoryCache cache, IOptions<AuthOptions> options)
{
    private CancellationTokenSource _generation = new();

    public bool TryGet<T>(string key, out T? value)
        where T : class
    {
        value = cache.TryGetValue(key, out var found) ? found as T : null;
        return value is not null;
    }

    public void Remember<T>(string key, T value)
        where T : class
    {
        var duration = options.Value.SignInCacheDuration;
        if (duration <= TimeSpan.Zero)
        {
            return;
        }
        using var entry = cache.CreateEntry(key);
        entry.Value = value;
        entry.AbsoluteExpirationRelativeToNow = duration;
        entry.AddExpirationToken(new CancellationChangeToken(Volatile.Read(ref _generation).Token));
    }

    /// <summary>Forgets every remembered sign-in: an account changed.</summary>
    public void ForgetAll()
    {
        var old = Interlocked.Exchange(ref _generation, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }
}
