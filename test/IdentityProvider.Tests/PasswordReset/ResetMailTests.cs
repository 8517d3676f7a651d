using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Lockout;
using IdentityProvider.Tests.Mail;

namespace IdentityProvider.Tests.PasswordReset;

/// <summary>R-7.4 end to end: the reset mail and the notice leave through a real SMTP server; the mailed link resets.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ResetMailTests(DatabaseKind kind)
{
    [Test]
    public async Task ResetMail_ReadFromTheSmtpServer_ResetsALockedAccount_ThenTheNoticeArrives()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await IdpTestHost.StartAsync(kind, OutboxTesting.SmtpSettings(smtp.Port));
        var user = await host.CreateUserAsync();
        await ResetFlow.LockAsync(host, user);
        using var browser = host.CreateBrowser();
        using var requested = await ResetFlow.RequestAsync(browser, user.Email);

        await OutboxTesting.DrainAsync(host);
        await smtp.WaitForCountAsync(2);
        var reset = smtp.Messages.Single(m => m.Subject == "【どこでもBOX】パスワードリセット");
        using var posted = await ResetFlow.SubmitAsync(browser, QueuedMail.LinkIn(reset.TextBody ?? string.Empty, "/Account/ResetPassword"), ResetFlow.NewPassword);
        Assert.That(TestBrowser.Location(posted).AbsolutePath, Is.EqualTo("/Account/ResetPassword/Done"));

        await OutboxTesting.DrainAsync(host);
        await smtp.WaitForCountAsync(3);
        Assert.That(smtp.Messages.Select(m => m.Subject), Does.Contain("【どこでもBOX】パスワードリセット完了のお知らせ"));
        Assert.That((await LoginAnswer.AttemptAsync(browser, user.Email, ResetFlow.NewPassword)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
    }
}
