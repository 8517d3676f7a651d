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

    private static IEnumerable<TestCaseData> EveryTemplateInBothLanguages() =>
        from template in Enum.GetValues<MailTemplate>()
        from language in new[] { "ja", "en" }
        select new TestCaseData(template, language).SetArgDisplayNames(template.ToString(), language);

    [TestCaseSource(nameof(EveryTemplateInBothLanguages))]
    public void Compose_EveryTemplate_EncodesValuesAndStatesHowLongItHolds(MailTemplate template, string language)
    {
        var english = language == "en";
        var values = MailComposer.RequiredValues(template).ToDictionary(
            name => name,
            name => name switch
            {
                MailValues.ExpiresAt => MailValues.Moment(Now.AddDays(14)),
                MailValues.ResetAt => MailValues.Moment(Now),
                _ when name.EndsWith("Url", StringComparison.Ordinal) => $"https://idp.example.jp/{name}?a=1&b=<x>",
                _ => $"<b>{name}</b>&\"",
            });

        var mail = composer.Compose(template, CultureInfo.GetCultureInfo(language), values);

        var validity = (values.ContainsKey(MailValues.ExpiresAt), values.ContainsKey(MailValues.ResetAt), english) switch
        {
            (true, _, false) => new[] { "14日", "2026年4月15日 09:00（日本時間）" },
            (true, _, true) => ["14 days", "15 April 2026, 09:00 Japan Standard Time"],
            (_, true, false) => ["2026年4月1日 09:00（日本時間）"],
            (_, true, true) => ["1 April 2026, 09:00 Japan Standard Time"],
            (_, _, false) => ["有効期限はありません"],
            (_, _, true) => ["do not expire"],
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mail.Subject, Does.StartWith(english ? "[DokodemoBOX] " : "【どこでもBOX】"));
            Assert.That(mail.TextBody, Does.StartWith(english ? "Dear <b>UserName</b>&\"," : "<b>UserName</b>&\" 様"));
            Assert.That(mail.TextBody, Does.Contain(english ? "sent automatically by the DokodemoBOX system" : "本メールは「どこでもBOX」のシステムより自動的に送信しております。"));
            Assert.That(mail.TextBody + mail.Subject, Does.Not.Contain("{"));
            foreach (var text in validity)
            {
                Assert.That(mail.TextBody, Does.Contain(text));
                Assert.That(mail.HtmlBody, Does.Contain(text));
            }

            foreach (var (name, value) in values.Where(pair => pair.Key.EndsWith("Url", StringComparison.Ordinal)))
            {
                Assert.That(mail.TextBody, Does.Contain(value));
                Assert.That(mail.HtmlBody, Does.Contain($"<a href=\"https://idp.example.jp/{name}?a=1&amp;b=&lt;x&gt;\">"));
            }

            Assert.That(mail.HtmlBody, Does.Contain("&lt;b&gt;UserName&lt;/b&gt;&amp;&quot;"));
            Assert.That(mail.HtmlBody, Does.Not.Contain("<b>").And.Not.Contain("<x>"));
        }
    }

    [Test]
    public void Compose_LinkThatIsNotWebAddress_Throws()
    {
        var values = Values(MailValues.UnlockUrl);
        values[MailValues.UnlockUrl] = "javascript:alert(1)";

        Assert.That(
            () => composer.Compose(MailTemplate.AccountLocked, Ja, values),
            Throws.ArgumentException.With.Message.Contains("UnlockUrl"));
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
