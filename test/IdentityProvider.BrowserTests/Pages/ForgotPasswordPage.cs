using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>Pages/Account/ForgotPassword: the address form and the confirmation that follows it .</summary>
public sealed class ForgotPasswordPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Form => Page.Locator("#forgot-password-form");

    public ILocator Email => Page.Locator("#email");

    public ILocator EmailError => Page.Locator("#email-error");

    public ILocator Submit => Page.Locator("#forgot-password-submit");

    /// <summary>The confirmation (role=status), the same for every address.</summary>
    public ILocator Sent => Page.Locator("#forgot-password-sent");

    public ILocator SentTitle => Page.Locator("#forgot-password-sent-title");
}
