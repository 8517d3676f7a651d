using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Sessions;

/// <summary>
/// Sessions kept on the server (Sessions/): a session cookie copied into another browser works
/// while the session lives, and stops working the moment its owner logs out.
/// </summary>
public sealed class CopiedSessionTests : BrowserFixture
{
    [Test]
    public async Task CopiedSessionCookie_StopsWorkingWhenTheOwnerLogsOut()
    {
        var owner = await NewPageAsync();
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(owner);
        await login.SignInAsync(user.Email, user.Password);
        await WaitForCallbackAsync(owner);

        var session = (await owner.Context.CookiesAsync()).Single(c => c.Name == "idp.session");
        var thief = await NewPageAsync();
        await thief.Context.AddCookiesAsync(
        [
            new Cookie { Name = session.Name, Value = session.Value, Domain = session.Domain, Path = session.Path, HttpOnly = true, Secure = session.Secure, SameSite = session.SameSite },
        ]);
        await thief.GotoAsync(Rp.CreateSignInRequest(request.ClientId).AuthorizeUrl.ToString());
        await WaitForCallbackAsync(thief);

        await owner.GotoAsync(new Uri(Idp.BaseAddress, "/connect/endsession").ToString());
        await new EndSessionPage(owner).Submit.ClickAsync();
        await Expect(new SignedOutPage(owner).Message).ToBeVisibleAsync();

        await thief.GotoAsync(Rp.CreateSignInRequest(request.ClientId).AuthorizeUrl.ToString());
        var thiefLogin = new LoginPage(thief);
        await thiefLogin.WaitUntilShownAsync();
        Assert.That(new Uri(thief.Url).AbsolutePath, Is.EqualTo("/Account/Login"));
    }
}
