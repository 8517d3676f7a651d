using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Pages;

/// <summary>The consent screen of third-party clients (Pages/Connect/Consent.cshtml).</summary>
public sealed class ConsentPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Title => Page.Locator("#consent-title");

    public ILocator Question => Page.Locator("#consent-question");

    public ILocator Scopes => Page.Locator("#consent-scopes li");

    public ILocator Allow => Page.Locator("#consent-allow");

    public ILocator Deny => Page.Locator("#consent-deny");
}
