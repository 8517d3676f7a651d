using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Data;
using IdentityProvider.Passwords;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Login;

/// <summary>
/// An address nobody signs in to with a password costs the configured hasher's work, as a
/// registered address with a wrong password does: one run of the server's own
/// <see cref="IPasswordHasher{TUser}"/>, whatever its parameters. A decoy of its own (the PBKDF2
/// check it once was) would cost differently from a real account and tell which addresses exist.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed partial class DecoyHashTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task UnknownAddress_RunsTheConfiguredHasherOnce_AsAWrongPasswordDoes()
    {
        var user = await Host.CreateUserAsync();
        var counting = new CountingHasher();
        await using var server = Host.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
        {
            services.AddSingleton<IPasswordHasher<ApplicationUser>>(provider =>
                counting.Wrapping(ActivatorUtilities.CreateInstance<Argon2idPasswordHasher>(provider)));
        }));
        using var http = server.CreateDefaultClient(Host.BaseAddress, new CookieContainerHandler());

        var registered = await AttemptAsync(http, user.Email);
        var forRegistered = counting.Take();
        var unknown = await AttemptAsync(http, $"nobody-{Guid.NewGuid():N}@example.test");
        var forUnknown = counting.Take();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(registered, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(unknown, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(forRegistered, Is.EqualTo(1), "a wrong password: one verification");
            Assert.That(forUnknown, Is.EqualTo(1), "an unknown address: the same hasher, once");
        }
    }

    private static async Task<HttpStatusCode> AttemptAsync(HttpClient http, string email)
    {
        var page = await http.GetStringAsync("/Account/Login");
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        using var response = await http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Wrong-Password-1",
            ["__RequestVerificationToken"] = token,
        }));
        return response.StatusCode;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>The server's hasher, counting the hashes and verifications it is asked for.</summary>
    private sealed class CountingHasher : IPasswordHasher<ApplicationUser>
    {
        private IPasswordHasher<ApplicationUser> inner = null!;
        private int runs;

        public CountingHasher Wrapping(IPasswordHasher<ApplicationUser> hasher)
        {
            inner = hasher;
            return this;
        }

        public int Take() => Interlocked.Exchange(ref runs, 0);

        public string HashPassword(ApplicationUser user, string password)
        {
            Interlocked.Increment(ref runs);
            return inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref runs);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
