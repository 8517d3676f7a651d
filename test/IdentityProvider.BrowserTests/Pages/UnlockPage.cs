using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>Pages/Account/Unlock: the lock mail's link asks first, the button unlocks .</summary>
public sealed class UnlockPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Question => Page.Locator("#unlock-question");

    public ILocator Submit => Page.Locator("#unlock-submit");

    public ILocator Done => Page.Locator("#unlock-done");

    public ILocator DoneLogin => Page.Locator("#unlock-done-login");
}
