using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Login;

/// <summary>How the login page renders: Japanese glyphs, phones, and browsers without scripts.</summary>
public sealed class LoginPageLayoutTests : BrowserFixture
{
    /// <summary>iPhone SE-sized: the smallest phone screen still in common use.</summary>
    private static BrowserNewContextOptions Phone(string locale = "ja-JP") => new()
    {
        Locale = locale,
        ViewportSize = new ViewportSize { Width = 375, Height = 667 },
        DeviceScaleFactor = 2,
        IsMobile = true,
        HasTouch = true,
    };

    [Test]
    public async Task LoginPage_RendersJapaneseTextInAJapaneseFont()
    {
        var page = await NewPageAsync();
        await OpenLoginFromRelyingPartyAsync(page);
        await SaveScreenshotAsync(page, "desktop", "Login page, ja-JP, 1280x720");

        // Without a CJK font Chromium draws boxes ("tofu"); the CSS font stack names Japanese fonts.
        foreach (var selector in new[] { "#login-title", "label[for=email]", "label[for=password]", "#password-toggle", "#login-submit" })
        {
            var fonts = await RenderedFonts.FamiliesAsync(page, selector);
            Assert.That(fonts, Is.Not.Empty.And.All.AnyOf(RenderedFonts.JapaneseFamilies), selector);
        }
    }

    [TestCase("ja-JP")]
    [TestCase("en-US")]
    public async Task LoginPage_FormControls_UseThePageFont(string locale)
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = locale });
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        // Browsers give inputs and buttons their own font unless the CSS says otherwise.
        var pageFont = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).fontFamily");
        foreach (var control in new[] { login.Email, login.Password, login.PasswordToggle, login.Submit })
        {
            var font = await control.EvaluateAsync<string>("e => getComputedStyle(e).fontFamily");
            Assert.That(font, Is.EqualTo(pageFont), await control.GetAttributeAsync("id"));
        }
    }

    [TestCase("ja-JP")]
    [TestCase("en-US")]
    public async Task LoginPage_OnPhone_HasNoHorizontalScroll_AndSubmitIsVisible(string locale)
    {
        var page = await NewPageAsync(Phone(locale));
        var (user, _, login) = await OpenLoginFromRelyingPartyAsync(page);
        await SaveScreenshotAsync(page, "phone", $"Login page, {locale}, 375x667");

        await AssertFitsWidthAsync(page);
        await Expect(login.Submit).ToBeInViewportAsync();

        // The error message is the longest text the page shows.
        await login.SignInAsync(user.Email, "wrong-" + user.Password);
        await Expect(login.Error).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "phone-error", $"Login page with error, {locale}, 375x667");
        await AssertFitsWidthAsync(page);
        await Expect(login.Submit).ToBeVisibleAsync();
    }

    [Test]
    public async Task SignIn_OnPhone_CompletesAtRelyingParty()
    {
        var page = await NewPageAsync(Phone());
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(page);

        await login.Email.FillAsync(user.Email);
        await login.Password.FillAsync(user.Password);
        await login.Submit.TapAsync();

        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback["state"], Is.EqualTo(request.State));
    }

    [TestCase("ja-JP")]
    [TestCase("en-US")]
    public async Task PasswordToggle_OnPhone_DoesNotCoverTheTypedPassword(string locale)
    {
        var page = await NewPageAsync(Phone(locale));
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);
        await login.Password.FillAsync(new string('x', 40));
        await Expect(login.PasswordToggle).ToBeVisibleAsync();

        // Where typed text may go: the input's box less its padding and border.
        var textRight = await login.Password.EvaluateAsync<double>(
            "e => { const s = getComputedStyle(e); return e.getBoundingClientRect().right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth); }");
        var toggle = await login.PasswordToggle.BoundingBoxAsync();
        var input = await login.Password.BoundingBoxAsync();
        Assert.That(toggle, Is.Not.Null);
        Assert.That(input, Is.Not.Null);
        var overlapsVertically = toggle!.Y < input!.Y + input.Height && input.Y < toggle.Y + toggle.Height;
        Assert.That(!overlapsVertically || toggle.X >= textRight, Is.True,
            $"the toggle (x {toggle.X:F0}..{toggle.X + toggle.Width:F0}) covers typed text (up to x {textRight:F0})");
    }

    [Test]
    public async Task SignIn_WithoutJavaScript_CompletesAtRelyingParty()
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = "ja-JP", JavaScriptEnabled = false });
        var (user, request, login) = await OpenLoginFromRelyingPartyAsync(page);

        // The toggle is an enhancement that only scripts reveal; without them it must not be a dead control.
        await Expect(login.PasswordToggle).ToBeHiddenAsync();
        await login.SignInAsync(user.Email, user.Password);

        var callback = TestBrowser.Query(await WaitForCallbackAsync(page));
        Assert.That(callback["state"], Is.EqualTo(request.State));
        Assert.That(callback, Does.ContainKey("code"));
    }

    private static async Task AssertFitsWidthAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        Assert.That(widths[0], Is.LessThanOrEqualTo(widths[1]), "the page scrolls sideways (scrollWidth vs innerWidth)");
    }
}
