using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Interop;

/// <summary>
/// Interoperability with a mainstream relying-party library (Microsoft.AspNetCore.Authentication.OpenIdConnect):
/// it validates the id_token its own way (signature from our JWKS, iss, aud, nonce, c_hash/at_hash
/// rules), reads userinfo, and logs out with id_token_hint — the way a customer's app will.
/// </summary>
public sealed class AspNetCoreRelyingPartyTests : BrowserFixture
{
    private AspNetCoreRelyingParty rp = null!;

    [OneTimeSetUp]
    public async Task StartRelyingPartyAsync() => rp = await AspNetCoreRelyingParty.StartAsync(Idp);

    [OneTimeTearDown]
    public async Task StopRelyingPartyAsync() => await rp.DisposeAsync();

    [Test]
    public async Task AspNetCoreOidcHandler_SignsIn_SeesOurClaims_AndSignsOutThroughEndSession()
    {
        var user = await Idp.CreateUserAsync();
        var page = await NewPageAsync();

        await page.GotoAsync(rp.BaseAddress.ToString());
        var login = new LoginPage(page);
        await login.WaitUntilShownAsync();
        await login.SignInAsync(user.Email, user.Password);

        // Back at the relying party (form_post response), signed in with our claims.
        var claims = page.Locator("#" + AspNetCoreRelyingParty.ClaimsListId);
        await Expect(claims).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "rp-signed-in", "The ASP.NET Core relying party after sign-in");
        await Expect(Claim(page, "email")).ToHaveTextAsync(user.Email);
        await Expect(Claim(page, "login_method")).ToHaveTextAsync("Password");
        await Expect(Claim(page, "role")).ToHaveTextAsync("User");
        await Expect(Claim(page, "amr")).ToHaveTextAsync("pwd");
        await Expect(Claim(page, "tenant_id")).ToHaveCountAsync(1);
        await Expect(page.Locator("#rp-has-refresh-token")).ToHaveTextAsync("yes");

        // RP-initiated logout: the handler sends id_token_hint, so no confirmation is asked.
        await page.Locator("#rp-logout").ClickAsync();
        await Expect(page.Locator("#" + AspNetCoreRelyingParty.SignedOutId)).ToBeVisibleAsync();

        // Both sessions are gone: the RP sends the browser to our login page again.
        await page.GotoAsync(rp.BaseAddress.ToString());
        await login.WaitUntilShownAsync();
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    private static ILocator Claim(IPage page, string type) =>
        page.Locator($"#{AspNetCoreRelyingParty.ClaimsListId} li[data-type='{type}']");
}
