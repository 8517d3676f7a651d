using System.Net;
using IdentityProvider.Audit;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Lockout;

/// <summary>R-7.3, R-7.5: the lock mail's link unlocks once, by POST, within 14 days.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed partial class UnlockLinkTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task UnlockLink_GetOnlyAsks_PostUnlocks_ThenTheRightPasswordSignsIn()
    {
        var (user, link) = await LockAsync();
        using var browser = Host.CreateBrowser();

        // Mail scanners open links: GET, twice even, changes nothing.
        using var first = await browser.GetAsync(link);
        using var page = await browser.GetAsync(link);
        var html = await PageHtml.ReadAsync(page);
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain("id=\"unlock-submit\"").And.Contain("アカウントロックの解除"));
        });
        Assert.That((await UserRecords.FindAsync(Host, user.Email)).LockedAt, Is.Not.Null, "GET must not unlock");

        using var posted = await browser.SubmitFormAsync("/Account/Unlock", html, new Dictionary<string, string> { ["Token"] = QueuedMail.TokenOf(link) });
        Assert.That(TestBrowser.Location(posted).AbsolutePath, Is.EqualTo("/Account/Unlock/Done"));
        using var done = await browser.GetAsync("/Account/Unlock/Done");
        Assert.That(await PageHtml.ReadAsync(done), Does.Contain("アカウントのロックを解除しました。"));

        var record = await UserRecords.FindAsync(Host, user.Email);
        Assert.Multiple(() =>
        {
            Assert.That(record.LockedAt, Is.Null);
            Assert.That(record.AccessFailedCount, Is.Zero);
        });
        Assert.That((await LoginAnswer.AttemptAsync(Host.CreateBrowser(), user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
        Assert.That(await UserRecords.AuditAsync(Host, user.Email, AuditKind.AccountUnlocked), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task UnlockLink_UsedTwice_TheSecondTimeIsRefusedAndPointsToPasswordReset()
    {
        var (_, link) = await LockAsync();
        using var browser = Host.CreateBrowser();
        using (var page = await browser.GetAsync(link))
        {
            using var posted = await browser.SubmitFormAsync("/Account/Unlock", await page.Content.ReadAsStringAsync(), new Dictionary<string, string> { ["Token"] = QueuedMail.TokenOf(link) });
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        using var again = await browser.GetAsync(link);
        var html = await PageHtml.ReadAsync(again);
        Assert.Multiple(() =>
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(html, Does.Contain("data-status=\"Used\"").And.Contain("このURLはすでに使用されています。"));
            Assert.That(html, Does.Contain("id=\"link-problem-forgot-password\" href=\"/Account/ForgotPassword\""));
            Assert.That(html, Does.Not.Contain("id=\"unlock-submit\""));
        });
    }

    [Test]
    public async Task UnlockLink_TwoParallelPosts_UnlockOnce()
    {
        var (user, link) = await LockAsync();
        using var a = Host.CreateBrowser();
        using var b = Host.CreateBrowser();
        var pageA = await (await a.GetAsync(link)).Content.ReadAsStringAsync();
        var pageB = await (await b.GetAsync(link)).Content.ReadAsStringAsync();
        var token = new Dictionary<string, string> { ["Token"] = QueuedMail.TokenOf(link) };

        var answers = await Task.WhenAll(a.SubmitFormAsync("/Account/Unlock", pageA, token), b.SubmitFormAsync("/Account/Unlock", pageB, token));

        Assert.That(answers.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.Redirect, HttpStatusCode.Gone }));
        Assert.That(await UserRecords.AuditAsync(Host, user.Email, AuditKind.AccountUnlocked), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task UnlockLink_AfterFourteenDays_IsRefusedAsExpired_TheAccountStaysLocked()
    {
        var (user, link) = await LockAsync();
        using var browser = Host.CreateBrowser();
        var html = await (await browser.GetAsync(link)).Content.ReadAsStringAsync();

        Host.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromSeconds(1));

        using var posted = await browser.SubmitFormAsync("/Account/Unlock", html, new Dictionary<string, string> { ["Token"] = QueuedMail.TokenOf(link) });
        var answer = await PageHtml.ReadAsync(posted);
        Assert.Multiple(() =>
        {
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(answer, Does.Contain("data-status=\"Expired\"").And.Contain("有効期限"));
            Assert.That(answer, Does.Contain("パスワードを再設定すると、アカウントのロックも解除されます。"));
        });
        Assert.That((await UserRecords.FindAsync(Host, user.Email)).LockedAt, Is.Not.Null);
    }

    [Test]
    public async Task UnlockLink_ThirteenDaysLater_StillWorks()
    {
        var (_, link) = await LockAsync();
        Host.Clock.Advance(TimeSpan.FromDays(13));

        using var browser = Host.CreateBrowser();
        using var page = await browser.GetAsync(link);

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("")]
    [TestCase("not-a-token")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task UnlockLink_UnknownToken_IsRefusedAsNotFound(string token)
    {
        using var browser = Host.CreateBrowser();
        using var page = await browser.GetAsync("/Account/Unlock?token=" + token);

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await PageHtml.ReadAsync(page), Does.Contain("data-status=\"Unknown\""));
    }

    [Test]
    public async Task UnlockPage_InEnglish_WhenTheBrowserAsks()
    {
        var (_, link) = await LockAsync();
        using var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        var html = await (await browser.GetAsync(link)).Content.ReadAsStringAsync();

        Assert.That(html, Does.Contain("Unlock your account").And.Contain("lang=\"en\""));
    }

    /// <summary>A fresh user locked by ten wrong passwords, and the link of its lock mail.</summary>
    private async Task<(TestUser User, string Link)> LockAsync()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        for (var i = 1; i <= 10; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
        }

        var mail = (await QueuedMail.ForAsync(Host, user.Email, "AccountLocked")).Single();
        return (user, QueuedMail.LinkIn(mail.TextBody, "/Account/Unlock"));
    }
}
