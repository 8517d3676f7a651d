using System.Security.Claims;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Sessions;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.PasswordReset;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using static IdentityProvider.Tests.Sessions.SessionTesting;

namespace IdentityProvider.Tests.Sessions;

/// <summary>
/// Sessions kept on the server (issue 20, finding 11): the cookie is only a reference, so ending a
/// session on the server ends it for every copy of the cookie, at once. Through real HTTP.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ServerSessionTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    // One day, so that a session in use reaches it without the clock moving far.
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Sessions:AbsoluteLifetime"] = "1.00:00:00",
    };

    [Test]
    public async Task CopiedCookie_AfterLogout_NoLongerAuthenticates()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        using var copy = BrowserWith(Host, CookieOf(browser));
        Assert.That(await AuthorizeAsync(copy, clientId), Is.EqualTo(RedirectUri), "the copy works while the session lives");

        await LogOutAsync(browser);

        using var silent = await copy.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }));
        Assert.Multiple(async () =>
        {
            Assert.That(await AuthorizeAsync(copy, clientId), Is.EqualTo("/Account/Login"));
            Assert.That(TestBrowser.Query(TestBrowser.Location(silent))["error"], Is.EqualTo("login_required"));
            Assert.That(await RowsAsync(Host, user.Email), Is.Empty);
        });
    }

    [Test]
    public async Task Cookie_CarriesOnlyAReference_AndTheRowHoldsTheSession()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.UserAgent.ParseAdd("SessionTest/1.0");
        var signedInAt = Host.Clock.GetUtcNow();
        await SignInAsync(browser, clientId, user);

        var row = (await RowsAsync(Host, user.Email)).Single();
        var record = await UserRecords.FindAsync(Host, user.Email);
        Assert.Multiple(() =>
        {
            // A protected session key: far shorter than the ticket with its claims, which stays on the server.
            Assert.That(CookieOf(browser), Has.Length.LessThan(400));
            Assert.That(row.Id, Has.Length.EqualTo(43), "base64url SHA-256 of the key");
            Assert.That(row.UserId, Is.EqualTo(record.Id));
            Assert.That(row.SecurityStamp, Is.EqualTo(record.SecurityStamp));
            Assert.That(row.UserAgent, Is.EqualTo("SessionTest/1.0"));
            Assert.That(row.CreatedAt, Is.EqualTo(signedInAt).Within(TimeSpan.FromSeconds(1)));
            Assert.That(row.ExpiresAt, Is.EqualTo(signedInAt + TimeSpan.FromHours(8)).Within(TimeSpan.FromSeconds(1)));
            Assert.That(row.AbsoluteExpiresAt, Is.EqualTo(signedInAt + TimeSpan.FromDays(1)).Within(TimeSpan.FromSeconds(1)));
            Assert.That(row.Ticket, Is.Not.Empty);
            Assert.That(System.Text.Encoding.UTF8.GetString(row.Ticket), Does.Not.Contain(user.Email), "protected");
        });
    }

    /// <summary>A session is renewed (one write) only once half its window has passed, as the cookie handler renews.</summary>
    [Test]
    public async Task SlidingWindow_RenewsAfterHalfTheWindow_AndEndsAfterEightIdleHours()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        var created = (await RowsAsync(Host, user.Email)).Single();

        Host.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo(RedirectUri));
        Assert.That((await RowsAsync(Host, user.Email)).Single().LastSeenAt, Is.EqualTo(created.LastSeenAt), "no write for a request early in the window");

        Host.Clock.Advance(TimeSpan.FromHours(5));
        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo(RedirectUri));
        var renewed = (await RowsAsync(Host, user.Email)).Single();
        Assert.That(renewed.LastSeenAt, Is.EqualTo(Host.Clock.GetUtcNow()).Within(TimeSpan.FromSeconds(1)));
        Assert.That(renewed.ExpiresAt, Is.EqualTo(Host.Clock.GetUtcNow() + TimeSpan.FromHours(8)).Within(TimeSpan.FromSeconds(1)));

        // Twelve hours after the sign-in, seven after the renewal: still on.
        Host.Clock.Advance(TimeSpan.FromHours(7));
        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo(RedirectUri));

        Host.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo("/Account/Login"));
    }

    /// <summary>Identity re-validates the session's principal after 30 minutes; the session's auth_time and amr survive it.</summary>
    [Test]
    public async Task Session_AfterTheSecurityStampRevalidation_KeepsItsAuthenticationTime()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var signedInAt = Host.Clock.GetUtcNow();
        await SignInAsync(browser, clientId, user);

        Host.Clock.Advance(TimeSpan.FromMinutes(31));
        var pkce = Pkce.Create();
        using var silent = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce, extra: new Dictionary<string, string?> { ["prompt"] = "none" }));
        var callback = TestBrowser.Location(silent);
        Assert.That(TestBrowser.Query(callback), Does.ContainKey("code"), callback.ToString());
        var (_, tokens) = await browser.TokenAsync(CodeRedemption(clientId, TestBrowser.Query(callback)["code"], pkce));
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());

        Assert.Multiple(() =>
        {
            Assert.That(long.Parse(idToken.GetClaim("auth_time").Value), Is.EqualTo(signedInAt.ToUnixTimeSeconds()).Within(1));
            Assert.That(idToken.GetPayloadValue<string[]>("amr"), Is.EqualTo(new[] { "pwd" }));
        });
    }

    [Test]
    public async Task AbsoluteLifetime_EndsASessionInUse()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        // Used every five hours (never idle for eight) up to the fixture's one-day maximum.
        for (var hours = 5; hours <= 20; hours += 5)
        {
            Host.Clock.Advance(TimeSpan.FromHours(5));
            Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo(RedirectUri), $"{hours} h after the sign-in");
        }

        Host.Clock.Advance(TimeSpan.FromHours(5));
        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo("/Account/Login"), "25 h after the sign-in");
    }

    /// <summary>
    /// A sign-in in a browser that already has a session (here a re-authentication for
    /// prompt=login) gets a new key; the old cookie, and so any copy of it, is over.
    /// </summary>
    [Test]
    public async Task SignInOverASession_GivesANewKey_AndEndsTheOldSession()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        var before = CookieOf(browser);

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "login" }));
        using var posted = await browser.LoginAsync(TestBrowser.Location(response).PathAndQuery, user.Email, user.Password);
        Assert.That(posted.Headers.GetValues("Set-Cookie").Count(c => c.StartsWith(CookieName + "=", StringComparison.Ordinal)), Is.EqualTo(1), "one session cookie in the answer");
        var after = CookieOf(browser);
        using var copy = BrowserWith(Host, before);

        Assert.Multiple(async () =>
        {
            Assert.That(after, Is.Not.EqualTo(before));
            Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo(RedirectUri), "the new cookie works");
            Assert.That(await AuthorizeAsync(copy, clientId), Is.EqualTo("/Account/Login"), "the old one does not");
            Assert.That(await RowsAsync(Host, user.Email), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task SecurityStampChange_EndsEverySessionOfTheUser()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var office = Host.CreateBrowser();
        using var phone = Host.CreateBrowser();
        await SignInAsync(office, clientId, user);
        await SignInAsync(phone, clientId, user);

        await Host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.UpdateSecurityStampAsync((await users.FindByEmailAsync(user.Email))!);
        });

        Assert.Multiple(async () =>
        {
            Assert.That(await AuthorizeAsync(office, clientId), Is.EqualTo("/Account/Login"));
            Assert.That(await AuthorizeAsync(phone, clientId), Is.EqualTo("/Account/Login"));
        });
    }

    [Test]
    public async Task PasswordReset_EndsTheSessionsOpenBeforeIt()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var resetter = Host.CreateBrowser();
        using var reset = await ResetFlow.SubmitAsync(resetter, link, ResetFlow.NewPassword);
        Assert.That(TestBrowser.Location(reset).AbsolutePath, Is.EqualTo("/Account/ResetPassword/Done"));

        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task EndAll_EndsEverySessionOfTheUser_AndNoOneElses()
    {
        var user = await Host.CreateUserAsync();
        var other = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var office = Host.CreateBrowser();
        using var phone = Host.CreateBrowser();
        using var colleague = Host.CreateBrowser();
        await SignInAsync(office, clientId, user);
        await SignInAsync(phone, clientId, user);
        await SignInAsync(colleague, clientId, other);
        var record = await UserRecords.FindAsync(Host, user.Email);

        var ended = await Host.InScopeAsync(services => services.GetRequiredService<ServerSessions>().EndAllAsync(record.Id));

        Assert.Multiple(async () =>
        {
            Assert.That(ended, Is.EqualTo(2));
            Assert.That(await AuthorizeAsync(office, clientId), Is.EqualTo("/Account/Login"));
            Assert.That(await AuthorizeAsync(phone, clientId), Is.EqualTo("/Account/Login"));
            Assert.That(await AuthorizeAsync(colleague, clientId), Is.EqualTo(RedirectUri));
        });
    }

    /// <summary>A cookie from before sessions were kept on the server carries the whole ticket and no session key: it no longer counts.</summary>
    [Test]
    public async Task CookieCarryingTheWholeTicket_AsBeforeServerSessions_IsNotASession()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        var record = await UserRecords.FindAsync(Host, user.Email);
        var cookie = Host.InScopeAsync(services =>
        {
            var identity = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
            var claims = new ClaimsIdentity(
                [
                    new Claim(identity.UserIdClaimType, record.Id.ToString()),
                    new Claim(identity.UserNameClaimType, user.Email),
                    new Claim(identity.SecurityStampClaimType, record.SecurityStamp!),
                    .. new SessionFacts(Host.Clock.GetUtcNow(), [SessionFacts.Password]).ToClaims(),
                ],
                IdentityConstants.ApplicationScheme);
            var now = Host.Clock.GetUtcNow();
            var ticket = new AuthenticationTicket(new ClaimsPrincipal(claims), new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(8) }, IdentityConstants.ApplicationScheme);
            var options = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
            return Task.FromResult(options.TicketDataFormat.Protect(ticket));
        });
        using var browser = BrowserWith(Host, await cookie);

        Assert.That(await AuthorizeAsync(browser, clientId), Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task TwoNodes_ShareSessions_AndALogoutOnOneEndsItOnTheOther()
    {
        await using var nodeA = await IdpTestHost.StartAsync(Kind);
        await using var nodeB = IdpTestHost.StartNode(nodeA.Database);
        var user = await nodeA.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await nodeA.RegisterClientAsync(new IdentityProvider.Clients.ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var onA = nodeA.CreateBrowser();
        await SignInAsync(onA, clientId, user);
        using var onB = new TestBrowser(nodeB, onA.Cookies);
        using var copyOnA = BrowserWith(nodeA, CookieOf(onA));

        Assert.That(await AuthorizeAsync(onB, clientId), Is.EqualTo(RedirectUri), "node B knows the session node A started");
        await LogOutAsync(onB);

        Assert.That(await AuthorizeAsync(copyOnA, clientId), Is.EqualTo("/Account/Login"), "node A knows it ended on node B");
    }

    /// <summary>An authorization request: where it sends the browser (the client's redirect URI, or a path of ours).</summary>
    private static async Task<string> AuthorizeAsync(TestBrowser browser, string clientId)
    {
        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        var location = TestBrowser.Location(response);
        return location.GetLeftPart(UriPartial.Path) == RedirectUri ? RedirectUri : location.AbsolutePath;
    }

    /// <summary>Logs out the way a user does without a relying party: the confirmation page, then its button.</summary>
    private static async Task LogOutAsync(TestBrowser browser)
    {
        using var page = await browser.GetAsync("/connect/endsession");
        var html = await page.Content.ReadAsStringAsync();
        using var confirmed = await browser.SubmitFormAsync("/connect/endsession", html, new Dictionary<string, string> { ["idp_confirm"] = "1" });
        Assert.That(TestBrowser.Location(confirmed).AbsolutePath, Is.EqualTo("/Account/SignedOut"));
    }
}
