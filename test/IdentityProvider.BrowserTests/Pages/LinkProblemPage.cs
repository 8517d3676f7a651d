using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>Pages/Account/_LinkProblem: a mailed link that no longer works says why and leads to the reset .</summary>
public sealed class LinkProblemPage(IPage page)
{
    public IPage Page { get; } = page;

    /// <summary>The reason (role=alert); its data-status is Used, Expired, Superseded or Unknown.</summary>
    public ILocator Message => Page.Locator("#link-problem");

    public ILocator ForgotPasswordLink => Page.Locator("#link-problem-forgot-password");
}
