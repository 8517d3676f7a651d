using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>The logout confirmation of /connect/endsession (Pages/Connect/EndSession.cshtml).</summary>
public sealed class EndSessionPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Question => Page.Locator("#logout-question");

    public ILocator Submit => Page.Locator("#logout-submit");
}
