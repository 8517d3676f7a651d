using System.Net;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Lockout;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.PasswordReset;

/// <summary>
/// second half: the mailed link sets a new password, unlocks the account and
/// resets two-step verification; the link works once, for 14 days, and dies with a password change.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ResetPasswordTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task ResetLink_OpensTheFormWithTheRule_AndOpeningItSpendsNothing()
    {
        var user = await Host.CreateUserAsync();
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        using var first = await browser.GetAsync(link);
        using var second = await browser.GetAsync(link);
        var html = await PageHtml.ReadAsync(second);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain("<h1 id=\"reset-password-title\">リセットパスワード</h1>"));
            Assert.That(html, Does.Contain("パスワードは英大文字、英小文字、数字、記号から3種類以上を含め8文字以上で設定してください"));
            Assert.That(html, Does.Contain("id=\"new-password\"").And.Contain("id=\"confirm-password\"").And.Contain("autocomplete=\"new-password\""));
            Assert.That(html, Does.Contain("※この手順を実施後は、2段階認証の登録がリセットされます。"));
        });
    }

    [Test]
    public async Task Reset_SetsThePassword_UnlocksTheAccount_ResetsTwoFactor_AuditsAndNotifies()
    {
        var user = await Host.CreateUserAsync();
        await ResetFlow.LockAsync(Host, user);
        await RegisterTwoFactorAsync(user);
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        using var posted = await ResetFlow.SubmitAsync(browser, link, ResetFlow.NewPassword);

        Assert.That(TestBrowser.Location(posted).AbsolutePath, Is.EqualTo("/Account/ResetPassword/Done"));
        var done = await PageHtml.ReadAsync(await browser.GetAsync("/Account/ResetPassword/Done"));
        Assert.That(done, Does.Contain("リセットパスワードの手続きが完了いたしました。").And.Contain("id=\"reset-password-done-ok\" href=\"/Account/Login\""));

        var record = await UserRecords.FindAsync(Host, user.Email);
        var tokens = await AuthenticatorTokensAsync(record.Id);
        Assert.Multiple(() =>
        {
            Assert.That(record.LockedAt, Is.Null, "unlocked");
            Assert.That(record.AccessFailedCount, Is.Zero);
            Assert.That(record.TwoFactorEnabled, Is.False);
            Assert.That(record.PhoneNumberConfirmed, Is.False);
            Assert.That(record.PhoneNumber, Is.EqualTo("+819012345678"), "kept, so that the 2FA issue can send it the notice");
            Assert.That(record.FailedOneTimeCodeCount, Is.Zero);
            Assert.That(tokens, Is.Empty, "authenticator key and recovery codes removed");
        });

        Assert.Multiple(async () =>
        {
            Assert.That((await LoginAnswer.AttemptAsync(Host.CreateBrowser(), user.Email, ResetFlow.NewPassword)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
            Assert.That((await LoginAnswer.AttemptAsync(Host.CreateBrowser(), user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.Invalid));
        });

        var kinds = (await UserRecords.AuditAsync(Host, user.Email)).Select(e => e.Kind).ToList();
        Assert.That(kinds, Does.Contain(nameof(AuditKind.PasswordResetCompleted))
            .And.Contain(nameof(AuditKind.TwoFactorRegistrationReset))
            .And.Contain(nameof(AuditKind.AccountUnlocked)));
        var notice = (await QueuedMail.ForAsync(Host, user.Email, "PasswordResetNotice")).Single();
        Assert.That(notice.Subject, Is.EqualTo("【どこでもBOX】パスワードリセット完了のお知らせ"));
    }

    [Test]
    public async Task ResetLink_UsedTwice_TheSecondTimeIsRefused()
    {
        var user = await Host.CreateUserAsync();
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();
        using (var first = await ResetFlow.SubmitAsync(browser, link, ResetFlow.NewPassword))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        using var again = await browser.GetAsync(link);

        var html = await PageHtml.ReadAsync(again);
        Assert.Multiple(() =>
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(html, Does.Contain("data-status=\"Used\"").And.Contain("id=\"link-problem-forgot-password\""));
            Assert.That(html, Does.Not.Contain("id=\"reset-password-form\""));
        });
    }

    [Test]
    public async Task ResetLink_AfterFourteenDays_IsRefusedAsExpired_AndThePasswordStays()
    {
        var user = await Host.CreateUserAsync();
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();
        using var form = await browser.GetAsync(link);
        Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Host.Clock.Advance(LinkLifetimePlusASecond);
        using var expired = await ResetFlow.SubmitFormAsync(browser, await form.Content.ReadAsStringAsync(), ResetFlow.NewPassword);

        Assert.Multiple(async () =>
        {
            Assert.That(expired.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(await PageHtml.ReadAsync(expired), Does.Contain("data-status=\"Expired\"").And.Contain("もう一度パスワードリセットをお申し込みください。"));
            Assert.That((await LoginAnswer.AttemptAsync(Host.CreateBrowser(), user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn), "the old password still works");
        });
    }

    [Test]
    public async Task WeakPassword_IsRefusedWithEveryProblemUnderTheField_AndTheLinkStaysUsable()
    {
        var user = await Host.CreateUserAsync();
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        using var weak = await ResetFlow.SubmitAsync(browser, link, "short");

        var html = await PageHtml.ReadAsync(weak);
        Assert.Multiple(() =>
        {
            Assert.That(weak.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain("id=\"new-password-error\""));
            Assert.That(html, Does.Contain("パスワードは8文字以上で設定してください。").And.Contain("3種類以上を含めてください。"));
            Assert.That(html, Does.Not.Contain("id=\"confirm-password-error\""));
        });
        using var strong = await ResetFlow.SubmitAsync(browser, link, ResetFlow.NewPassword);
        Assert.That(strong.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "a refused password does not spend the link");
    }

    [Test]
    public async Task PasswordEqualToTheAddress_IsRefused()
    {
        var user = await Host.CreateUserAsync();
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        using var response = await ResetFlow.SubmitAsync(browser, link, user.Email.ToUpperInvariant());

        Assert.That(await PageHtml.ReadAsync(response), Does.Contain("メールアドレスと同じパスワードは設定できません。"));
    }

    [Test]
    public async Task ConfirmationThatDiffers_IsRefusedUnderTheConfirmationField()
    {
        var user = await Host.CreateUserAsync();
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        using var response = await ResetFlow.SubmitAsync(browser, link, ResetFlow.NewPassword, ResetFlow.NewPassword + "x");

        Assert.That(await PageHtml.ReadAsync(response), Does.Contain("<span class=\"field-error\" id=\"confirm-password-error\">新しいパスワードと確認用のパスワードが一致しません。</span>"));
    }

    [Test]
    public async Task LinksSentBeforeAReset_StopWorking_UnlockAndResetAlike()
    {
        var user = await Host.CreateUserAsync();
        await ResetFlow.LockAsync(Host, user);
        var unlockMail = (await QueuedMail.ForAsync(Host, user.Email, "AccountLocked")).Single();
        var unlockLink = QueuedMail.LinkIn(unlockMail.TextBody, "/Account/Unlock");
        var older = await ResetFlow.RequestLinkAsync(Host, user.Email);
        var used = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();
        using (var reset = await ResetFlow.SubmitAsync(browser, used, ResetFlow.NewPassword))
        {
            Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        using var olderPage = await browser.GetAsync(older);
        using var unlockPage = await browser.GetAsync(unlockLink);

        Assert.Multiple(async () =>
        {
            Assert.That(olderPage.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(await PageHtml.ReadAsync(olderPage), Does.Contain("data-status=\"Superseded\"").And.Contain("パスワードが変更されたため"));
            Assert.That(unlockPage.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(await PageHtml.ReadAsync(unlockPage), Does.Contain("data-status=\"Superseded\""));
        });
    }

    [Test]
    public async Task UnlockLink_IsNoResetLink_AndTheOtherWayRound()
    {
        var user = await Host.CreateUserAsync();
        await ResetFlow.LockAsync(Host, user);
        var unlockToken = QueuedMail.TokenOf(QueuedMail.LinkIn((await QueuedMail.ForAsync(Host, user.Email, "AccountLocked")).Single().TextBody, "/Account/Unlock"));
        var resetToken = QueuedMail.TokenOf(await ResetFlow.RequestLinkAsync(Host, user.Email));
        using var browser = Host.CreateBrowser();

        using var unlockAsReset = await browser.GetAsync("/Account/ResetPassword?token=" + unlockToken);
        using var resetAsUnlock = await browser.GetAsync("/Account/Unlock?token=" + resetToken);

        Assert.Multiple(() =>
        {
            Assert.That(unlockAsReset.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(resetAsUnlock.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task TwoParallelResets_WithTwoLinks_OnlyOnePasswordWins()
    {
        var user = await Host.CreateUserAsync();
        var linkA = await ResetFlow.RequestLinkAsync(Host, user.Email);
        var linkB = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var a = Host.CreateBrowser();
        using var b = Host.CreateBrowser();

        var responses = await Task.WhenAll(
            ResetFlow.SubmitAsync(a, linkA, ResetFlow.NewPassword + "A"),
            ResetFlow.SubmitAsync(b, linkB, ResetFlow.NewPassword + "B"));

        Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.Redirect, HttpStatusCode.Gone }));
        Assert.That(await UserRecords.AuditAsync(Host, user.Email, AuditKind.PasswordResetCompleted), Has.Count.EqualTo(1));
    }

    private static readonly TimeSpan LinkLifetimePlusASecond = TimeSpan.FromDays(14) + TimeSpan.FromSeconds(1);

    private Task RegisterTwoFactorAsync(TestUser user) =>
        Host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var record = (await users.FindByEmailAsync(user.Email))!;
            await users.ResetAuthenticatorKeyAsync(record);
            await users.GenerateNewTwoFactorRecoveryCodesAsync(record, 10);
            await users.SetPhoneNumberAsync(record, "+819012345678");
            record.PhoneNumberConfirmed = true;
            record.FailedOneTimeCodeCount = 2;
            await users.UpdateAsync(record);
            return await users.SetTwoFactorEnabledAsync(record, true);
        });

    private Task<List<string>> AuthenticatorTokensAsync(Guid userId) =>
        Host.InScopeAsync(async services => await services.GetRequiredService<IdpDbContext>().UserTokens
            .Where(t => t.UserId == userId).Select(t => t.Name).ToListAsync());
}
