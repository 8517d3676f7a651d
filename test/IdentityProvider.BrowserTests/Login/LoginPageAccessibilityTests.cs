using IdentityProvider.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Login;

/// <summary>Basics a keyboard or screen-reader user needs from the login page (WCAG 2.2 AA).</summary>
public sealed class LoginPageAccessibilityTests : BrowserFixture
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task LoginPage_EveryInput_HasAnAssociatedLabel(bool javaScript)
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = "ja-JP", JavaScriptEnabled = javaScript });
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        await Expect(page.GetByLabel("メールアドレス", new() { Exact = true })).ToHaveIdAsync("email");
        await Expect(page.GetByLabel("パスワード", new() { Exact = true })).ToHaveIdAsync("password");

        // Any other field added later must come with its own label, too.
        var fields = page.Locator("input:not([type=hidden]), select, textarea");
        var count = await fields.CountAsync();
        Assert.That(count, Is.EqualTo(2), "e-mail and password");
        for (var i = 0; i < count; i++)
        {
            var labels = await fields.Nth(i).EvaluateAsync<int>("e => e.labels.length");
            Assert.That(labels, Is.EqualTo(1), await fields.Nth(i).GetAttributeAsync("id"));
        }
    }

    [TestCase(true, new[] { "skip-link", "email", "password", "password-toggle", "login-submit", "forgot-password-link" })]
    [TestCase(false, new[] { "skip-link", "email", "password", "login-submit", "forgot-password-link" })]
    public async Task LoginPage_TabKey_MovesFocusInReadingOrder(bool javaScript, string[] expectedIds)
    {
        var page = await NewPageAsync(new BrowserNewContextOptions { Locale = "ja-JP", JavaScriptEnabled = javaScript });
        await OpenLoginFromRelyingPartyAsync(page);

        foreach (var id in expectedIds)
        {
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.Locator("#" + id)).ToBeFocusedAsync();
        }
    }

    [Test]
    public async Task LoginPage_KeyboardFocus_IsVisibleOnEveryControl()
    {
        var page = await NewPageAsync();
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        foreach (var control in new[] { login.SkipLink, login.Email, login.Password, login.PasswordToggle, login.Submit })
        {
            await page.Keyboard.PressAsync("Tab");
            await Expect(control).ToBeFocusedAsync();
            var id = await control.GetAttributeAsync("id");
            var outline = await control.EvaluateAsync<string[]>("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }");
            Assert.That(outline[0], Is.Not.EqualTo("none"), id);
            Assert.That(double.Parse(outline[1].Replace("px", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture),
                Is.GreaterThanOrEqualTo(2), id);
            Assert.That(await TextContrast.OutlineRatioAsync(control), Is.GreaterThanOrEqualTo(3), $"{id}: focus outline contrast (WCAG 1.4.11)");
        }
    }

    [Test]
    public async Task PasswordToggle_ShowsAndHidesThePassword_ByClickAndByKeyboard()
    {
        var page = await NewPageAsync();
        var (user, _, login) = await OpenLoginFromRelyingPartyAsync(page);
        await login.Password.FillAsync(user.Password);

        await Expect(login.PasswordToggle).ToHaveAttributeAsync("aria-pressed", "false");
        await login.PasswordToggle.ClickAsync();
        await Expect(login.Password).ToHaveAttributeAsync("type", "text");
        await Expect(login.PasswordToggle).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(login.PasswordToggle).ToHaveTextAsync("パスワードを隠す");
        await Expect(login.Password).ToHaveValueAsync(user.Password);

        await login.PasswordToggle.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(login.Password).ToHaveAttributeAsync("type", "password");
        await Expect(login.PasswordToggle).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(login.PasswordToggle).ToHaveTextAsync("パスワードを表示する");
        await Expect(login.Password).ToHaveValueAsync(user.Password);
    }

    [Test]
    public async Task SignIn_WithEmptyFields_MarksEachFieldInvalid_AndLinksItsMessage()
    {
        var page = await NewPageAsync();
        var (_, _, login) = await OpenLoginFromRelyingPartyAsync(page);

        await login.Submit.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("入力内容を確認してください。");
        await Expect(login.Email).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(login.Email).ToHaveAccessibleDescriptionAsync("メールアドレスを入力してください。");
        await Expect(login.Password).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(login.Password).ToHaveAccessibleDescriptionAsync("パスワードを入力してください。");
        await SaveScreenshotAsync(page, "field-errors", "Login page after submitting empty fields");
    }

    [Test]
    public async Task LoginPage_TextContrast_MeetsWcagAA_IncludingTheErrorMessage()
    {
        var page = await NewPageAsync();
        var (user, _, login) = await OpenLoginFromRelyingPartyAsync(page);
        await login.SignInAsync(user.Email, "wrong-" + user.Password);
        await Expect(login.Error).ToBeVisibleAsync();

        foreach (var selector in new[] { "#login-title", "label[for=email]", "label[for=password]", "#email", "#password-toggle", "#login-submit", "#login-error", ".site-header .brand" })
        {
            var ratio = await TextContrast.RatioAsync(page.Locator(selector));
            Assert.That(ratio, Is.GreaterThanOrEqualTo(4.5), selector);
        }
    }
}
