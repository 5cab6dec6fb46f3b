using System.Net;
using App.Data;
using App.Data.Accounts;
using App.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Web.Accounts;

/// <summary>Basic authentication does not run the slow password hash on every request.</summary>
public abstract class CredentialCacheTests(DatabaseEngine engine)
{
    [Fact]
    public async Task Basic_VerifiesTheHashOnce_ForRepeatedRequests_AndAgainAfterAPasswordChange()
    {
        using var db = await TempDatabase.CreateAsync(engine);
        var hasher = new CountingHasher();
        await using var factory = WebApp.CreateFactory(db, b => b.ConfigureTestServices(s => s.AddSingleton<PasswordHasher<User>>(hasher)));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials(WebApp.AdminName, WebApp.AdminPassword);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/feeds")).StatusCode);
        }

        Assert.Equal(1, hasher.Verifications);
        using var wrong = factory.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials(WebApp.AdminName, "a wrong guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/feeds")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/feeds")).StatusCode);
        // A wrong password is never remembered: each attempt is hashed (and throttled).
        Assert.Equal(3, hasher.Verifications);
    }

    private sealed class CountingHasher : PasswordHasher<User>
    {
        private int _verifications;

        public int Verifications => _verifications;

        public override PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

public sealed class CredentialCacheTestsOnSqlite() : CredentialCacheTests(DatabaseEngine.Sqlite);

public sealed class CredentialCacheTestsOnPostgres() : CredentialCacheTests(DatabaseEngine.Postgres);
