using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.PasswordReset;

/// <summary>R-7.4 in Chromium, as the manual walks it: the login page's link, the address, the mailed link, the new password.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class PasswordResetFlowTests(DatabaseKind kind) : MailFlowFixture(kind)
{
    private const string NewPassword = "Aozora-Kumo-2027#q";
    private const string ResetMailSubject = "【どこでもBOX】パスワードリセット";

    [Test]
    public async Task ForgotPassword_FromTheLoginPage_MailedLinkSetsThePassword_UnlocksAndResetsTwoFactor()
    {
        var user = await Server.CreateUserAsync();
        await LockWithTwoFactorAsync(user);
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/Account/Login"));
        var login = new LoginPage(page);

        // The manual's step (1): type the address, then follow "パスワードを忘れた方はこちら".
        await login.Email.FillAsync(user.Email);
        await login.ForgotPasswordLink.ClickAsync();
        var forgot = new ForgotPasswordPage(page);
        await Expect(forgot.Email).ToHaveValueAsync(user.Email);
        await SaveScreenshotAsync(page, "forgot", "Forgot-password page, address carried from the login page");
        await forgot.Submit.ClickAsync();
        await Expect(forgot.Sent).ToContainTextAsync("パスワードリセットについて承りました。");
        await SaveScreenshotAsync(page, "sent", "Forgot-password confirmation");

        var mail = await ReceiveMailAsync(user.Email, ResetMailSubject);
        await page.GotoAsync(LinkIn(mail, "/Account/ResetPassword"));
        var reset = new ResetPasswordPage(page);
        await Expect(reset.Title).ToHaveTextAsync("リセットパスワード");
        await Expect(reset.Rule).ToHaveTextAsync("パスワードは英大文字、英小文字、数字、記号から3種類以上を含め8文字以上で設定してください");
        await SaveScreenshotAsync(page, "reset", "Reset-password form");
        await reset.SetAsync(NewPassword);
        await Expect(reset.Done).ToHaveTextAsync("リセットパスワードの手続きが完了いたしました。");
        await SaveScreenshotAsync(page, "done", "Reset completed");

        await reset.DoneOk.ClickAsync();
        await login.SignInAsync(user.Email, NewPassword);
        await Expect(page.Locator("#signed-in-as")).ToContainTextAsync(user.Email);

        var record = await UserRecords.FindAsync(Server, user.Email);
        Assert.Multiple(() =>
        {
            Assert.That(record.LockedAt, Is.Null, "the reset unlocked the account");
            Assert.That(record.TwoFactorEnabled, Is.False, "the reset cleared two-step verification");
        });
    }

    [Test]
    public async Task ForgotPassword_ForAnUnknownAddress_ShowsTheSameConfirmation()
    {
        var user = await Server.CreateUserAsync();
        var known = await ConfirmationTextAsync(user.Email);
        var unknown = await ConfirmationTextAsync($"nobody-{Guid.NewGuid():N}@example.test");

        Assert.That(unknown, Is.EqualTo(known));
    }

    [Test]
    public async Task ResetForm_ShowsEachProblemUnderItsField_AndKeepsTheLinkUsable()
    {
        var user = await Server.CreateUserAsync();
        var page = await NewPageAsync();
        await page.GotoAsync(await ResetLinkAsync(user));
        var reset = new ResetPasswordPage(page);

        await reset.SetAsync("short");
        await Expect(reset.NewPasswordError).ToContainTextAsync("パスワードは8文字以上で設定してください。");
        await Expect(reset.NewPassword).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(reset.NewPassword).ToHaveAttributeAsync("aria-describedby", "password-rule new-password-error");
        await SaveScreenshotAsync(page, "weak", "A weak password, refused with the rule's words");

        await reset.SetAsync(NewPassword, NewPassword + "x");
        await Expect(reset.ConfirmPasswordError).ToHaveTextAsync("新しいパスワードと確認用のパスワードが一致しません。");
        await Expect(reset.NewPasswordError).ToHaveCountAsync(0);

        await reset.SetAsync(NewPassword);
        await Expect(reset.Done).ToBeVisibleAsync();
    }

    [Test]
    public async Task ResetLink_OpenedAfterUse_SaysItWasUsed()
    {
        var user = await Server.CreateUserAsync();
        var link = await ResetLinkAsync(user);
        var page = await NewPageAsync();
        await page.GotoAsync(link);
        await new ResetPasswordPage(page).SetAsync(NewPassword);
        await Expect(new ResetPasswordPage(page).Done).ToBeVisibleAsync();

        await page.GotoAsync(link);

        var problem = new LinkProblemPage(page);
        await Expect(problem.Message).ToHaveAttributeAsync("data-status", "Used");
        await Expect(page.Locator("#link-problem-help")).ToHaveTextAsync("お手数ですが、もう一度パスワードリセットをお申し込みください。");
    }

    [Test]
    public async Task ForgotPasswordPage_InEnglish_WhenTheBrowserIsEnglish()
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = "en-US" });

        await page.GotoAsync(Url("/Account/ForgotPassword"));

        await Expect(page.Locator("#forgot-password-title")).ToHaveTextAsync("Forgot your password");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
    }

    private async Task<string> ConfirmationTextAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/Account/ForgotPassword"));
        var forgot = new ForgotPasswordPage(page);
        await forgot.Email.FillAsync(email);
        await forgot.Submit.ClickAsync();
        await Expect(forgot.Sent).ToBeVisibleAsync();
        return await page.Locator("main").InnerTextAsync();
    }

    private async Task<string> ResetLinkAsync(TestUser user)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/Account/ForgotPassword?email=" + Uri.EscapeDataString(user.Email)));
        var forgot = new ForgotPasswordPage(page);
        await forgot.Submit.ClickAsync();
        await Expect(forgot.Sent).ToBeVisibleAsync();
        return LinkIn(await ReceiveMailAsync(user.Email, ResetMailSubject), "/Account/ResetPassword");
    }

    /// <summary>Two-step verification registered and the account locked, as the reset finds them.</summary>
    private Task LockWithTwoFactorAsync(TestUser user) =>
        Server.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var record = (await users.FindByEmailAsync(user.Email))!;
            await users.ResetAuthenticatorKeyAsync(record);
            record.TwoFactorEnabled = true;
            record.AccessFailedCount = 10;
            record.LockedAt = services.GetRequiredService<TimeProvider>().GetUtcNow();
            return await users.UpdateAsync(record);
        });
}
