using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Login;

/// <summary>
/// The login page speaks Japanese (the manual's wording, §1) unless the browser asks for English
/// (Accept-Language, from the browser context's locale).
/// </summary>
public sealed class LoginPageLanguageTests : BrowserFixture
{
    [TestCase("ja-JP")]
    [TestCase("fr-FR")]
    public async Task LoginPage_ForJapaneseOrUnsupportedLanguage_IsJapanese(string locale)
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = locale });
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        await ExpectLanguageAsync(login, "ja", title: "ログイン", email: "メールアドレス", password: "パスワード", submit: "ログイン");
    }

    [Test]
    public async Task LoginPage_ForEnglishBrowser_IsEnglish()
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        await ExpectLanguageAsync(login, "en", title: "Sign in", email: "Email address", password: "Password", submit: "Sign in");
    }

    /// <summary>
    /// What real browsers send: Chrome and Edge on Japanese Windows list the bare "ja" first, then
    /// English; a British browser has no en-US at all. Each must still get its language.
    /// </summary>
    [TestCase("ja,en-US;q=0.9,en;q=0.8", "ja")]
    [TestCase("en-GB,en;q=0.9", "en")]
    public async Task LoginPage_ForRealBrowserAcceptLanguage_PicksItsFirstSupportedLanguage(string acceptLanguage, string expectedLang)
    {
        var page = await NewPageAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = acceptLanguage },
        });
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        await Expect(login.Page.Locator("html")).ToHaveAttributeAsync("lang", expectedLang);
        await Expect(login.Title).ToHaveTextAsync(expectedLang == "ja" ? "ログイン" : "Sign in");
    }

    private static async Task ExpectLanguageAsync(LoginPage login, string lang, string title, string email, string password, string submit)
    {
        // lang selects the screen reader's voice and the CJK font variant (R-1.1 wording from the manual).
        await Expect(login.Page.Locator("html")).ToHaveAttributeAsync("lang", lang);
        await Expect(login.Title).ToHaveTextAsync(title);
        await Expect(login.Page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true })).ToBeVisibleAsync();
        await Expect(login.Page.GetByLabel(email, new() { Exact = true })).ToHaveIdAsync("email");
        await Expect(login.Page.GetByLabel(password, new() { Exact = true })).ToHaveIdAsync("password");
        await Expect(login.Submit).ToHaveTextAsync(submit);
    }
}
