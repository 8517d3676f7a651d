using System.Globalization;
using IdentityProvider.Mail;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Mail;

public sealed class MailComposerTests
{
    // 2026-04-01 09:00 JST; links expire 14 days later at 2026-04-15 09:00 JST.
    private static readonly DateTimeOffset Now = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly CultureInfo Ja = CultureInfo.GetCultureInfo("ja-JP");
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en");

    private readonly MailComposer composer = new(new FakeTimeProvider(Now));

    [Test]
    public void Compose_AccountLockedJapanese_HasManualSubjectGreetingLinkValidityAndFooter()
    {
        var mail = composer.Compose(MailTemplate.AccountLocked, Ja, Values(MailValues.UnlockUrl));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mail.Subject, Is.EqualTo("【どこでもBOX】アカウントロック"));
            Assert.That(mail.TextBody, Does.StartWith("山田 <太郎> 様\n"));
            Assert.That(mail.TextBody, Does.Contain("\nhttps://idp.example.jp/link?t=a&b=<c>\n"));
            Assert.That(mail.TextBody, Does.Contain("本メール受領後14日間（2026年4月15日 09:00（日本時間）まで）"));
            Assert.That(mail.TextBody, Does.Contain("本メールは「どこでもBOX」のシステムより自動的に送信しております。"));
            Assert.That(mail.HtmlBody, Does.Contain("山田 &lt;太郎&gt; 様"));
            Assert.That(mail.HtmlBody, Does.Contain("<a href=\"https://idp.example.jp/link?t=a&amp;b=&lt;c&gt;\">"));
            Assert.That(mail.HtmlBody, Does.Not.Contain("<太郎>"));
        }
    }

    [Test]
    public void Compose_PasswordResetEnglish_HasEnglishSubjectAndExpiry()
    {
        var mail = composer.Compose(MailTemplate.PasswordReset, En, Values(MailValues.ResetUrl));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mail.Subject, Is.EqualTo("[DokodemoBOX] Password reset"));
            Assert.That(mail.TextBody, Does.StartWith("Dear 山田 <太郎>,\n"));
            Assert.That(mail.TextBody, Does.Contain("within 14 days after this mail was sent (by 15 April 2026, 09:00 Japan Standard Time (UTC+9))"));
            Assert.That(mail.HtmlBody, Does.Contain("<html lang=\"en\">"));
        }
    }

    [Test]
    public void Compose_MissingValues_ThrowsNamingThem()
    {
        var values = new Dictionary<string, string> { [MailValues.UserName] = "山田 太郎", [MailValues.UnlockUrl] = " " };

        Assert.That(
            () => composer.Compose(MailTemplate.AccountLocked, Ja, values),
            Throws.ArgumentException.With.Message.Contains("UnlockUrl, ExpiresAt"));
    }

    private static Dictionary<string, string> Values(string urlName) => new()
    {
        [MailValues.UserName] = "山田 <太郎>",
        [urlName] = "https://idp.example.jp/link?t=a&b=<c>",
        [MailValues.ExpiresAt] = MailValues.Moment(Now.AddDays(14)),
    };
}
