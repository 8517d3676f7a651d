using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.PasswordReset;

/// <summary>R-7.4, first half: the address form answers the same for every address; only a password user gets mail.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed partial class ForgotPasswordTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task RegisteredAndUnknownAddress_GetTheSameAnswer_OnlyTheRegisteredOneGetsMail()
    {
        var user = await Host.CreateUserAsync();
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        using var browser = Host.CreateBrowser();

        using var registered = await ResetFlow.RequestAsync(browser, user.Email);
        using var unknown = await ResetFlow.RequestAsync(browser, nobody);
        var registeredPage = await PageAsync(browser, registered);
        var unknownPage = await PageAsync(browser, unknown);

        Assert.Multiple(() =>
        {
            Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(unknown.StatusCode, Is.EqualTo(registered.StatusCode));
            Assert.That(unknown.Headers.Location, Is.EqualTo(registered.Headers.Location));
            Assert.That(unknownPage, Is.EqualTo(registeredPage), "the confirmation page is the same, byte for byte");
            Assert.That(registeredPage, Does.Contain("パスワードリセットについて承りました。"));
        });

        var mails = await QueuedMail.ForAsync(Host, user.Email);
        Assert.Multiple(async () =>
        {
            Assert.That(mails.Select(m => m.Subject), Is.EqualTo(new[] { "【どこでもBOX】パスワードリセット" }));
            Assert.That(mails[0].TextBody, Does.Contain("https://localhost/Account/ResetPassword?token="));
            Assert.That(await QueuedMail.ForAsync(Host, nobody), Is.Empty);
            Assert.That((await UserRecords.AuditAsync(Host, user.Email, AuditKind.PasswordResetRequested)).Single().Outcome, Is.EqualTo("Success"));
            Assert.That((await UserRecords.AuditAsync(Host, nobody, AuditKind.PasswordResetRequested)).Single().Reason, Is.EqualTo("UnknownUser"));
        });
    }

    [Test]
    public async Task AddressOfAnotherLoginMethod_GetsNoMail_AndTheSameAnswer()
    {
        var user = await Host.CreateUserAsync();
        await UserRecords.UpdateAsync(Host, user.Email, u => u.LoginMethod = LoginMethod.Microsoft);
        using var browser = Host.CreateBrowser();

        using var response = await ResetFlow.RequestAsync(browser, user.Email);

        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo("/Account/ForgotPassword/Sent"));
        Assert.That(await QueuedMail.ForAsync(Host, user.Email), Is.Empty);
        Assert.That((await UserRecords.AuditAsync(Host, user.Email, AuditKind.PasswordResetRequested)).Single().Reason, Is.EqualTo("OtherLoginMethod"));
    }

    [Test]
    public async Task Form_TakesTheAddressTypedOnTheLoginPage()
    {
        using var browser = Host.CreateBrowser();

        var html = await PageHtml.ReadAsync(await browser.GetAsync("/Account/ForgotPassword?email=taro%40example.jp"));

        Assert.That(html, Does.Contain("value=\"taro@example.jp\""));
    }

    [TestCase("", "メールアドレスを入力してください。")]
    [TestCase("not-an-address", "メールアドレスの形式が正しくありません。")]
    public async Task Form_WithoutAValidAddress_ShowsTheErrorUnderTheField(string email, string message)
    {
        using var browser = Host.CreateBrowser();

        using var response = await ResetFlow.RequestAsync(browser, email);

        var html = await PageHtml.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain($"<span class=\"field-error\" id=\"email-error\">{message}</span>"));
            Assert.That(html, Does.Contain("aria-invalid=\"true\""));
        });
    }

    [Test]
    public async Task InEnglish_WhenAsked_TheMailIsEnglishToo()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        using var response = await ResetFlow.RequestAsync(browser, user.Email);
        var page = await PageAsync(browser, response);

        Assert.That(page, Does.Contain("Password reset requested"));
        Assert.That((await QueuedMail.ForAsync(Host, user.Email)).Single().Subject, Is.EqualTo("[DokodemoBOX] Password reset"));
    }

    [Test]
    public async Task RegisteredAndUnknownAddress_TakeAboutTheSameTime()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var form = await (await browser.GetAsync("/Account/ForgotPassword")).Content.ReadAsStringAsync();
        await TimeAsync(browser, form, user.Email);
        await TimeAsync(browser, form, $"warm-{Guid.NewGuid():N}@example.test");

        var registered = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            registered.Add(await TimeAsync(browser, form, user.Email));
            unknown.Add(await TimeAsync(browser, form, $"nobody-{Guid.NewGuid():N}@example.test"));
        }

        var ratio = Median(unknown) / Median(registered);
        await TestContext.Out.WriteLineAsync($"{Kind}: forgot password, median of 10: registered {Median(registered):F1} ms, unknown {Median(unknown):F1} ms, ratio {ratio:F2}");
        // No password hash here: both sides are a lookup and one insert batch, so only a gross difference shows.
        Assert.That(ratio, Is.InRange(0.33, 3.0));
    }

    private static async Task<string> PageAsync(TestBrowser browser, HttpResponseMessage redirect)
    {
        using var page = await browser.GetAsync(TestBrowser.Location(redirect).PathAndQuery);
        return AntiforgeryToken().Replace(await PageHtml.ReadAsync(page), string.Empty);
    }

    private static async Task<double> TimeAsync(TestBrowser browser, string form, string email)
    {
        var watch = Stopwatch.StartNew();
        using var response = await browser.SubmitFormAsync("/Account/ForgotPassword", form, new Dictionary<string, string> { ["Input.Email"] = email });
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    [GeneratedRegex("value=\"CfDJ8[^\"]*\"")]
    private static partial Regex AntiforgeryToken();
}
