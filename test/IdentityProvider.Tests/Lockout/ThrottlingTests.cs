using System.Net;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Lockout;

/// <summary>
/// Rate limits on the form posts (<c>RateLimits:*</c>): per submitted address and per client, 429
/// with a Japanese page. In memory and on real time, so each test gets a server of its own.
/// </summary>
public sealed class ThrottlingTests
{
    private IdpTestHost host = null!;

    [SetUp]
    public async Task StartAsync() => host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
    {
        ["RateLimits:Login:PerAddress:PermitLimit"] = "3",
        ["RateLimits:Login:PerAddress:Window"] = "01:00:00",
        ["RateLimits:Login:PerClient:PermitLimit"] = "6",
        ["RateLimits:Login:PerClient:Window"] = "01:00:00",
        ["RateLimits:ForgotPassword:PerAddress:PermitLimit"] = "2",
        ["RateLimits:ForgotPassword:PerAddress:Window"] = "01:00:00",
    });

    [TearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [Test]
    public async Task Login_FourthPostForOneAddress_Gets429WithAJapanesePage_AndCountsNoFailure()
    {
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-" + i)).Kind, Is.EqualTo(LoginAnswer.Invalid));
        }

        using var throttled = await browser.LoginAsync("/Account/Login", user.Email, user.Password);

        var html = await PageHtml.ReadAsync(throttled);
        Assert.Multiple(() =>
        {
            Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(throttled.Headers.RetryAfter, Is.Not.Null);
            Assert.That(html, Does.Contain("短時間に多くの操作が行われたため").And.Contain("lang=\"ja\""));
        });
        Assert.That((await UserRecords.FindAsync(host, user.Email)).AccessFailedCount, Is.EqualTo(3), "a refused post never reached the password check");
    }

    [Test]
    public async Task Login_PerAddressLimit_LeavesOtherAddressesAlone()
    {
        var user = await host.CreateUserAsync();
        var other = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-" + i);
        }

        // Upper case and spaces are the same address.
        using var sameAddress = await browser.LoginAsync("/Account/Login", "  " + user.Email.ToUpperInvariant(), "Wrong");
        var otherAnswer = await LoginAnswer.AttemptAsync(browser, other.Email, other.Password);

        Assert.Multiple(() =>
        {
            Assert.That(sameAddress.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(otherAnswer.Kind, Is.EqualTo(LoginAnswer.SignedIn));
        });
    }

    [Test]
    public async Task Login_PerClientLimit_CountsPostsForAnyAddress_GetsStayOpen()
    {
        using var browser = host.CreateBrowser();
        for (var i = 0; i < 6; i++)
        {
            Assert.That((await LoginAnswer.AttemptAsync(browser, $"a{i}-{Guid.NewGuid():N}@example.test", "Wrong")).Kind, Is.EqualTo(LoginAnswer.Invalid), $"post {i}");
        }

        using var seventh = await browser.LoginAsync("/Account/Login", $"b-{Guid.NewGuid():N}@example.test", "Wrong");
        using var page = await browser.GetAsync("/Account/Login");

        Assert.Multiple(() =>
        {
            Assert.That(seventh.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "only form posts are limited");
        });
    }

    [Test]
    public async Task ForgotPassword_PerAddressLimit_IsTheSameForRegisteredAndUnknownAddresses()
    {
        var user = await host.CreateUserAsync();
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        using var browser = host.CreateBrowser();

        var statuses = new Dictionary<string, List<HttpStatusCode>> { [user.Email] = [], [nobody] = [] };
        for (var i = 0; i < 3; i++)
        {
            foreach (var email in statuses.Keys)
            {
                using var response = await ForgotPasswordAsync(browser, email);
                statuses[email].Add(response.StatusCode);
            }
        }

        var expected = new[] { HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests };
        Assert.Multiple(() =>
        {
            Assert.That(statuses[user.Email], Is.EqualTo(expected));
            Assert.That(statuses[nobody], Is.EqualTo(expected));
        });
        Assert.That(await QueuedMail.ForAsync(host, user.Email, "PasswordReset"), Has.Count.EqualTo(2), "no mail for the refused request");
    }

    /// <summary>The policy belongs to the page, not to a path: the page's other route counts alike.</summary>
    [Test]
    public async Task Login_PostToTheIndexRoute_CountsAgainstTheSameAddressLimit()
    {
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-" + i);
        }

        using var throttled = await browser.LoginAsync("/Account/Login/Index", user.Email, user.Password);

        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That((await UserRecords.FindAsync(host, user.Email)).AccessFailedCount, Is.EqualTo(3), "a refused post never reached the password check");
    }

    [Test]
    public async Task ForgotPassword_PostToTheIndexRoute_CountsAgainstTheSameAddressLimit()
    {
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        for (var i = 0; i < 2; i++)
        {
            using var accepted = await ForgotPasswordAsync(browser, user.Email);
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), $"request {i}");
        }

        var form = await (await browser.GetAsync("/Account/ForgotPassword/Index")).Content.ReadAsStringAsync();
        using var throttled = await browser.SubmitFormAsync("/Account/ForgotPassword/Index", form, new Dictionary<string, string> { ["Input.Email"] = user.Email });

        Assert.Multiple(async () =>
        {
            Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(throttled.Headers.RetryAfter, Is.Not.Null);
            Assert.That(await QueuedMail.ForAsync(host, user.Email, "PasswordReset"), Has.Count.EqualTo(2), "no mail for the refused request");
        });
    }

    [Test]
    public async Task ZeroFailuresBeforeLock_IsRefusedAtStart()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var invalid = IdpTestHost.Unstarted(database, new Dictionary<string, string?> { ["Lockout:MaxFailedAttempts"] = "0" });

        Assert.That(() => _ = invalid.Services, Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("MaxFailedAttempts"));
    }

    private static async Task<HttpResponseMessage> ForgotPasswordAsync(TestBrowser browser, string email)
    {
        var form = await (await browser.GetAsync("/Account/ForgotPassword")).Content.ReadAsStringAsync();
        return await browser.SubmitFormAsync("/Account/ForgotPassword", form, new Dictionary<string, string> { ["Input.Email"] = email });
    }
}
