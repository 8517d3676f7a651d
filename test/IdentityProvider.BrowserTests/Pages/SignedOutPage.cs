using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>Where a logout without a post-logout redirect URI ends (Pages/Account/SignedOut.cshtml).</summary>
public sealed class SignedOutPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Message => Page.Locator("#signed-out-message");
}
