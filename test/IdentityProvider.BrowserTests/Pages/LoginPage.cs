using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>The hosted login page, found by the stable ids of Pages/Account/Login/Index.cshtml.</summary>
public sealed class LoginPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Form => Page.Locator("#login-form");

    public ILocator Title => Page.Locator("#login-title");

    public ILocator Email => Page.Locator("#email");

    public ILocator Password => Page.Locator("#password");

    /// <summary>Exists only when scripts run (progressive enhancement).</summary>
    public ILocator PasswordToggle => Page.Locator("#password-toggle");

    public ILocator Submit => Page.Locator("#login-submit");

    /// <summary>The sign-in failure message (role=alert).</summary>
    public ILocator Error => Page.Locator("#login-error");

    public ILocator SkipLink => Page.Locator("#skip-link");

    /// <summary>"パスワードを忘れた方はこちら" .</summary>
    public ILocator ForgotPasswordLink => Page.Locator("#forgot-password-link");

    public Task WaitUntilShownAsync() => Form.WaitForAsync();

    public async Task SignInAsync(string email, string password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await Submit.ClickAsync();
    }
}
