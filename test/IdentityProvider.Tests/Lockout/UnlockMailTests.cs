using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Mail;

namespace IdentityProvider.Tests.Lockout;

/// <summary>R-7.3 end to end: the lock mail leaves through the outbox and a real SMTP server, and its link unlocks.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class UnlockMailTests(DatabaseKind kind)
{
    [Test]
    public async Task LockMail_ReadFromTheSmtpServer_HoldsTheLinkThatUnlocks()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await IdpTestHost.StartAsync(kind, OutboxTesting.SmtpSettings(smtp.Port));
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        for (var i = 1; i <= 10; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
        }

        await OutboxTesting.DrainAsync(host);
        var mail = await smtp.Received;
        var link = QueuedMail.LinkIn(mail.TextBody ?? string.Empty, "/Account/Unlock");
        Assert.Multiple(() =>
        {
            Assert.That(mail.Subject, Is.EqualTo("【どこでもBOX】アカウントロック"));
            Assert.That(mail.To.Mailboxes.Single().Address, Is.EqualTo(user.Email));
            Assert.That(mail.TextBody, Does.Contain("14日間"));
        });

        var page = await (await browser.GetAsync(link)).Content.ReadAsStringAsync();
        using var unlocked = await browser.SubmitFormAsync("/Account/Unlock", page, new Dictionary<string, string> { ["Token"] = QueuedMail.TokenOf(link) });

        Assert.That(TestBrowser.Location(unlocked).AbsolutePath, Is.EqualTo("/Account/Unlock/Done"));
        Assert.That((await LoginAnswer.AttemptAsync(browser, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
    }
}
