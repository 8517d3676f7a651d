using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Consent;

/// <summary>
/// A third-party client (explicit consent): after the login the user sees which client asks for
/// what, in Japanese, with 許可する / 許可しない as real form buttons (no script), and the choice
/// goes back to the relying party.
/// </summary>
public sealed class ConsentScreenTests : BrowserFixture
{
    [Test]
    public async Task Consent_Allow_ShowsTheClientAndScopesInJapanese_ThenReturnsACodeThatRedeems()
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var (request, consent) = await OpenConsentAsync(page);

        await Expect(consent.Title).ToHaveTextAsync("アクセスの許可");
        await Expect(consent.Question).ToContainTextAsync("「写真共有パートナー」");
        await Expect(consent.Scopes).ToHaveTextAsync(["あなたを識別する情報（ユーザーID）", "メールアドレス", "表示名", "ログアウト後も継続してアクセスすること"]);
        await Expect(consent.Allow).ToHaveTextAsync("許可する");
        await Expect(consent.Deny).ToHaveTextAsync("許可しない");
        await SaveScreenshotAsync(page, "consent", "Consent screen");
        await consent.Allow.ClickAsync();

        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback["state"], Is.EqualTo(request.State));
        var tokens = await Rp.RedeemCodeAsync(request, callback["code"]);
        Assert.That(tokens.IdToken, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public async Task Consent_Deny_SendsAccessDeniedToTheRelyingParty()
    {
        var page = await NewPageAsync();
        var (request, consent) = await OpenConsentAsync(page);

        await consent.Deny.ClickAsync();

        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback["error"], Is.EqualTo("access_denied"));
        Assert.That(callback["state"], Is.EqualTo(request.State));
    }

    private async Task<(SignInRequest Request, ConsentPage Consent)> OpenConsentAsync(IPage page)
    {
        var user = await Idp.CreateUserAsync();
        var clientId = "partner-" + Guid.NewGuid().ToString("N")[..10];
        await Idp.RegisterClientAsync(new ClientRegistration
        {
            ClientId = clientId,
            DisplayName = "写真共有パートナー",
            Public = true,
            RedirectUris = [Rp.CallbackUri.ToString()],
            Consent = "explicit",
        });
        var request = Rp.CreateSignInRequest(clientId);
        await page.GotoAsync(request.AuthorizeUrl.ToString());
        var login = new LoginPage(page);
        await login.WaitUntilShownAsync();
        await login.SignInAsync(user.Email, user.Password);
        var consent = new ConsentPage(page);
        await consent.Allow.WaitForAsync();
        return (request, consent);
    }
}
