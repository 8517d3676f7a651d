using System.Net;
using IdentityProvider.Audit;
using IdentityProvider.Lockout;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Lockout;

/// <summary>
/// OWASP device cookies (<c>Lockout:DeviceCookies:Enabled</c>): a browser where the user already
/// signed in keeps working while failures elsewhere lock the account; its own failures count
/// against its cookie and can lock that cookie.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class DeviceCookieTests(DatabaseKind kind)
{
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        host = await IdpTestHost.StartAsync(kind, new Dictionary<string, string?> { ["Lockout:DeviceCookies:Enabled"] = "true" });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        // Null when the set-up was skipped (a database that cannot run here).
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    [Test]
    public async Task TrustedBrowser_SignsInWhileTheAccountIsLockedByFailuresElsewhere()
    {
        var user = await host.CreateUserAsync();
        using var owner = await TrustedBrowserAsync(user);
        using var attacker = host.CreateBrowser();
        await FailAsync(attacker, user, 10);

        var ownerAnswer = await LoginAnswer.AttemptAsync(owner, user.Email, user.Password);
        var attackerAnswer = await LoginAnswer.AttemptAsync(attacker, user.Email, user.Password);

        Assert.Multiple(() =>
        {
            Assert.That(ownerAnswer.Kind, Is.EqualTo(LoginAnswer.SignedIn));
            Assert.That(attackerAnswer.Kind, Is.EqualTo(LoginAnswer.Locked), "the lock holds for every other browser");
        });
        Assert.That((await UserRecords.FindAsync(host, user.Email)).LockedAt, Is.Not.Null, "the trusted browser does not unlock the account");
        var signIns = await UserRecords.AuditAsync(host, user.Email, AuditKind.SignIn);
        Assert.That(signIns.Where(e => e.Outcome == "Success").Select(e => e.Reason), Does.Contain("DeviceCookie while locked"));
    }

    [Test]
    public async Task TrustedBrowser_WrongPasswords_CountAgainstItsCookie_NotTheAccount()
    {
        var user = await host.CreateUserAsync();
        using var owner = await TrustedBrowserAsync(user);

        var answers = new List<LoginAnswer>();
        for (var i = 0; i < 9; i++)
        {
            answers.Add(await LoginAnswer.AttemptAsync(owner, user.Email, "Typo-" + i));
        }

        Assert.That(answers.Select(a => a.Kind), Is.All.EqualTo(LoginAnswer.Invalid));
        Assert.That((await UserRecords.FindAsync(host, user.Email)).AccessFailedCount, Is.Zero);
        Assert.That((await LoginAnswer.AttemptAsync(owner, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
    }

    [Test]
    public async Task TrustedBrowser_TenWrongPasswords_LockItsCookie_ThenTheAccountLockAppliesToIt()
    {
        var user = await host.CreateUserAsync();
        using var owner = await TrustedBrowserAsync(user);
        using var attacker = host.CreateBrowser();
        await FailAsync(attacker, user, 10);

        // Someone at the trusted browser guesses: the cookie locks at ten like an account would.
        for (var i = 1; i <= 9; i++)
        {
            Assert.That((await LoginAnswer.AttemptAsync(owner, user.Email, "Guess-" + i)).Kind, Is.EqualTo(LoginAnswer.Invalid), $"guess {i}");
        }

        var tenth = await LoginAnswer.AttemptAsync(owner, user.Email, "Guess-10");
        var right = await LoginAnswer.AttemptAsync(owner, user.Email, user.Password);

        Assert.Multiple(() =>
        {
            Assert.That(tenth.Kind, Is.EqualTo(LoginAnswer.Locked));
            Assert.That(right.Kind, Is.EqualTo(LoginAnswer.Locked), "an untrusted browser now, and the account is locked");
        });
    }

    [Test]
    public async Task DeviceCookieOfOneUser_DoesNotOpenAnotherUsersLockedAccount()
    {
        var owner = await host.CreateUserAsync();
        var other = await host.CreateUserAsync();
        using var browser = await TrustedBrowserAsync(owner);
        using var attacker = host.CreateBrowser();
        await FailAsync(attacker, other, 10);

        Assert.That((await LoginAnswer.AttemptAsync(browser, other.Email, other.Password)).Kind, Is.EqualTo(LoginAnswer.Locked));
    }

    [Test]
    public async Task ForgedDeviceCookie_IsIgnored()
    {
        var user = await host.CreateUserAsync();
        using var attacker = host.CreateBrowser();
        await FailAsync(attacker, user, 10);
        attacker.Cookies.Add(host.BaseAddress, new Cookie(DeviceCookies.CookieName, "CfDJ8-forged-value", DeviceCookies.CookiePath));

        Assert.That((await LoginAnswer.AttemptAsync(attacker, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.Locked));
    }

    [Test]
    public async Task DeviceCookie_IsHttpOnlySecureStrictAndLimitedToTheLoginPage()
    {
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        using var response = await browser.LoginAsync("/Account/Login", user.Email, user.Password);

        var header = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(DeviceCookies.CookieName + "=", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("path=/Account/Login").And.Contain("secure").And.Contain("samesite=strict").And.Contain("httponly").IgnoreCase);
    }

    /// <summary>A browser that signed in once and then lost its session: it holds only the device cookie.</summary>
    private async Task<TestBrowser> TrustedBrowserAsync(TestUser user)
    {
        using var first = host.CreateBrowser();
        Assert.That((await LoginAnswer.AttemptAsync(first, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
        var device = first.Cookies.GetAllCookies().Single(c => c.Name == DeviceCookies.CookieName);
        var cookies = new CookieContainer();
        cookies.Add(device);
        return new TestBrowser(host, cookies);
    }

    private static async Task FailAsync(TestBrowser browser, TestUser user, int times)
    {
        for (var i = 1; i <= times; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
        }
    }
}
