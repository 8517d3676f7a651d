using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests;

/// <summary>
/// One IdP (the real Program on Kestrel, fresh SQLite database), one relying party and one Chromium
/// for every browser test in this assembly, started once: each costs about two seconds, and the
/// whole suite should stay near a minute. Tests stay independent anyway: each makes its own user
/// and client, and gets its own browser context (cookies, storage) from <see cref="BrowserFixture"/>.
/// </summary>
[SetUpFixture]
public sealed class BrowserSession
{
    private static BrowserSession? current;
    private IPlaywright? playwright;

    /// <summary>The running session; set for as long as any test of this namespace runs.</summary>
    public static BrowserSession Current =>
        current ?? throw new InvalidOperationException("The browser session starts in a [SetUpFixture] of namespace IdentityProvider.BrowserTests.");

    public IdpTestHost Idp { get; private set; } = null!;

    public RelyingParty Rp { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Idp = await IdpTestHost.StartKestrelAsync(DatabaseKind.Sqlite);
        Rp = await RelyingParty.StartAsync(Idp);
        playwright = await Playwright.CreateAsync();
        Browser = await BrowserFactory.LaunchAsync(playwright);
        current = this;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        current = null;
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (Rp is not null)
        {
            await Rp.DisposeAsync();
        }

        if (Idp is not null)
        {
            await Idp.DisposeAsync();
        }
    }
}
