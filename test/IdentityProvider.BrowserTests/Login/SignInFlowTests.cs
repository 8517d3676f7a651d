using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Login;

/// <summary>R-1.1: password sign-in through the hosted login page, started by a real RP redirect.</summary>
public sealed class SignInFlowTests : BrowserFixture
{
    [Test]
    public async Task SignIn_FromRelyingPartyRedirect_ReturnsCodeAndStateToCallback_CodeRedeemsForIdToken()
    {
        var page = await NewPageAsync();
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(page);
        await SaveScreenshotAsync(page, "login", "Login page (ja-JP, desktop)");

        await login.SignInAsync(user.Email, user.Password);

        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback, Does.ContainKey("code"), "the authorization response carries a code");
        Assert.That(callback["state"], Is.EqualTo(request.State), "the RP gets its state back unchanged");

        var tokens = await Rp.RedeemCodeAsync(request, callback["code"]);
        Assert.That(tokens.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), tokens.Json.ToString());
        Assert.That(tokens.IdToken, Is.Not.Null.And.Not.Empty, tokens.Json.ToString());
        var idToken = await Rp.ValidateIdTokenAsync(request, tokens.IdToken!);
        Assert.That(idToken.GetClaim("email").Value, Is.EqualTo(user.Email));
    }

    [Test]
    public async Task SignIn_WithWrongPassword_ShowsAlert_KeepsEmail_ThenRightPasswordReachesRelyingParty()
    {
        var page = await NewPageAsync();
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(page);

        await login.SignInAsync(user.Email, user.Password + "-wrong");

        await Expect(login.Error).ToHaveTextAsync("メールアドレスまたはパスワードが正しくありません。");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("メールアドレスまたはパスワードが正しくありません。");
        await Expect(login.Form).ToBeVisibleAsync();
        await Expect(login.Email).ToHaveValueAsync(user.Email);
        await Expect(login.Password).ToHaveValueAsync(string.Empty);
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/Account/Login"));

        // The failed attempt must not lose the RP's request (the return URL travels in the form).
        await login.Password.FillAsync(user.Password);
        await login.Submit.ClickAsync();
        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback["state"], Is.EqualTo(request.State));
    }
}
