using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Lockout;

/// <summary>R-7.3 in Chromium: ten wrong passwords lock, the lock mail's link (from the SMTP server) unlocks once.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class LockoutFlowTests(DatabaseKind kind) : MailFlowFixture(kind)
{
    private const string Invalid = "メールアドレスまたはパスワードが正しくありません。";
    private const string LockedStart = "ログインが規定回数以上失敗したため、アカウントをロックしました。";
    private const string LockMailSubject = "【どこでもBOX】アカウントロック";

    [Test]
    public async Task TenthWrongPassword_ShowsTheLock_TheMailedLinkUnlocks_ThenTheRightPasswordSignsIn()
    {
        var user = await Server.CreateUserAsync();
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/Account/Login"));
        var login = new LoginPage(page);

        for (var i = 1; i <= 9; i++)
        {
            await FailAsync(login, user.Email, "Wrong-Password-" + i);
            await Expect(login.Error).ToHaveTextAsync(Invalid);
        }

        await FailAsync(login, user.Email, "Wrong-Password-10");
        await Expect(login.Error).ToContainTextAsync(LockedStart);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("メールで送信しました");
        await Expect(login.ForgotPasswordLink).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "locked", "Login page after the tenth wrong password");

        await FailAsync(login, user.Email, user.Password);
        await Expect(login.Error).ToContainTextAsync(LockedStart);

        var mail = await ReceiveMailAsync(user.Email, LockMailSubject);
        await page.GotoAsync(LinkIn(mail, "/Account/Unlock"));
        var unlock = new UnlockPage(page);
        await Expect(unlock.Question).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "unlock-confirm", "The lock mail's link asks before it unlocks");
        await unlock.Submit.ClickAsync();
        await Expect(unlock.Done).ToHaveTextAsync("アカウントのロックを解除しました。ログイン画面からログインしてください。");
        await SaveScreenshotAsync(page, "unlocked", "Unlock completed");

        await unlock.DoneLogin.ClickAsync();
        await login.SignInAsync(user.Email, user.Password);
        await Expect(page.Locator("#signed-in-as")).ToContainTextAsync(user.Email);
    }

    [Test]
    public async Task UnlockLink_OpenedAgain_SaysItWasUsed_AndLeadsToTheForgotPasswordPage()
    {
        var (_, link) = await LockAsync();
        var page = await NewPageAsync();
        await page.GotoAsync(link);
        await new UnlockPage(page).Submit.ClickAsync();
        await Expect(new UnlockPage(page).Done).ToBeVisibleAsync();

        await page.GotoAsync(link);

        var problem = new LinkProblemPage(page);
        await Expect(problem.Message).ToHaveAttributeAsync("data-status", "Used");
        await Expect(problem.Message).ToHaveTextAsync("このURLはすでに使用されています。URLは1回のみご利用いただけます。");
        await SaveScreenshotAsync(page, "used", "An unlock link opened a second time");
        await problem.ForgotPasswordLink.ClickAsync();
        await Expect(new ForgotPasswordPage(page).Form).ToBeVisibleAsync();
    }

    [Test]
    public async Task UnlockLink_AfterFourteenDays_SaysItExpired_AndTheAccountStaysLocked()
    {
        var (user, link) = await LockAsync();
        Server.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromSeconds(1));
        var page = await NewPageAsync();

        await page.GotoAsync(link);

        var problem = new LinkProblemPage(page);
        await Expect(problem.Message).ToHaveAttributeAsync("data-status", "Expired");
        await Expect(page.Locator("#link-problem-help")).ToHaveTextAsync("パスワードを再設定すると、アカウントのロックも解除されます。");
        await Expect(new UnlockPage(page).Submit).ToHaveCountAsync(0);
        await SaveScreenshotAsync(page, "expired", "An unlock link after 14 days");

        await page.GotoAsync(Url("/Account/Login"));
        var login = new LoginPage(page);
        await FailAsync(login, user.Email, user.Password);
        await Expect(login.Error).ToContainTextAsync(LockedStart);
    }

    /// <summary>Submits and waits for the answer page: it comes back with the password field emptied.</summary>
    private static async Task FailAsync(LoginPage login, string email, string password)
    {
        await login.SignInAsync(email, password);
        await Expect(login.Password).ToHaveValueAsync(string.Empty);
    }

    /// <summary>A fresh user locked by ten wrong passwords over HTTP, and the link of the lock mail from the SMTP server.</summary>
    private async Task<(TestUser User, string Link)> LockAsync()
    {
        var user = await Server.CreateUserAsync();
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/Account/Login"));
        var login = new LoginPage(page);
        for (var i = 1; i <= 10; i++)
        {
            await FailAsync(login, user.Email, "Wrong-Password-" + i);
        }

        await Expect(login.Error).ToContainTextAsync(LockedStart);
        return (user, LinkIn(await ReceiveMailAsync(user.Email, LockMailSubject), "/Account/Unlock"));
    }
}
