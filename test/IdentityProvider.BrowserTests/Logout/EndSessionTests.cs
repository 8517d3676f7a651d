using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Logout;

/// <summary>
/// RP-initiated logout without id_token_hint: the user confirms first, so that a link on another
/// site cannot sign them out (Pages/Connect/EndSession).
/// </summary>
public sealed class EndSessionTests : BrowserFixture
{
    [Test]
    public async Task EndSession_WithoutIdTokenHint_AsksFirst_SignsOutOnConfirm_ThenAuthorizeAsksForLoginAgain()
    {
        var page = await NewPageAsync();
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(page);
        await login.SignInAsync(user.Email, user.Password);
        await WaitForCallbackAsync(page);

        await page.GotoAsync(new Uri(Idp.BaseAddress, "/connect/endsession").ToString());
        var endSession = new EndSessionPage(page);
        await Expect(endSession.Question).ToHaveTextAsync("ログアウトしますか？");
        await SaveScreenshotAsync(page, "confirm", "Logout confirmation");
        await endSession.Submit.ClickAsync();

        await Expect(new SignedOutPage(page).Message).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "signed-out", "Signed-out page");
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/Account/SignedOut"));

        await page.GotoAsync(Rp.CreateSignInRequest(request.ClientId).AuthorizeUrl.ToString());
        await Expect(login.Form).ToBeVisibleAsync();
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task EndSession_NotConfirmed_KeepsTheSession()
    {
        var page = await NewPageAsync();
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(page);
        await login.SignInAsync(user.Email, user.Password);
        await WaitForCallbackAsync(page);

        await page.GotoAsync(new Uri(Idp.BaseAddress, "/connect/endsession").ToString());
        await Expect(new EndSessionPage(page).Submit).ToBeVisibleAsync();

        // Still signed in: the next authorization request goes straight back to the RP.
        var again = Rp.CreateSignInRequest(request.ClientId);
        await page.GotoAsync(again.AuthorizeUrl.ToString());
        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback["state"], Is.EqualTo(again.State));
    }
}
