using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>Pages/Account/ResetPassword: リセットパスワード, new password twice, then the completion page.</summary>
public sealed class ResetPasswordPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Title => Page.Locator("#reset-password-title");

    public ILocator Rule => Page.Locator("#password-rule");

    public ILocator NewPassword => Page.Locator("#new-password");

    public ILocator ConfirmPassword => Page.Locator("#confirm-password");

    public ILocator NewPasswordError => Page.Locator("#new-password-error");

    public ILocator ConfirmPasswordError => Page.Locator("#confirm-password-error");

    public ILocator Submit => Page.Locator("#reset-password-submit");

    public ILocator Done => Page.Locator("#reset-password-done");

    /// <summary>The completion page's OK, which leads to the login page.</summary>
    public ILocator DoneOk => Page.Locator("#reset-password-done-ok");

    public async Task SetAsync(string password, string? confirmation = null)
    {
        await NewPassword.FillAsync(password);
        await ConfirmPassword.FillAsync(confirmation ?? password);
        await Submit.ClickAsync();
    }
}
