using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// One IdP (the real Program on Kestrel, fresh SQLite database), one relying party and one
/// Chromium per fixture; one browser context per test, so cookies never leak between tests.
/// Each test creates its own user and client, so tests never depend on each other's state.
/// </summary>
public abstract class BrowserFixture
{
    /// <summary>How long any one browser wait may take: long enough for a cold first request, short enough to fail fast.</summary>
    private const float WaitTimeoutMs = 15_000;

    private readonly List<IBrowserContext> contexts = [];
    private IPlaywright? playwright;

    protected IdpTestHost Idp { get; private set; } = null!;

    protected RelyingParty Rp { get; private set; } = null!;

    protected IBrowser Browser { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Idp = await IdpTestHost.StartKestrelAsync(DatabaseKind.Sqlite);
        Rp = await RelyingParty.StartAsync(Idp);
        playwright = await Playwright.CreateAsync();
        Browser = await BrowserFactory.LaunchAsync(playwright);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
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

    [TearDown]
    public async Task CloseContextsAsync()
    {
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
            {
                // What the browser showed when the test failed: the first thing to look at.
                var pages = contexts.SelectMany(c => c.Pages).Where(p => !p.IsClosed).ToList();
                for (var i = 0; i < pages.Count; i++)
                {
                    await SaveScreenshotAsync(pages[i], $"failure-{i}", $"Page at failure: {pages[i].Url}");
                }
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }

            contexts.Clear();
        }
    }

    /// <summary>
    /// A new page in a fresh browser context. The locale defaults to ja-JP (the service's users);
    /// a test about languages sets its own.
    /// </summary>
    protected async Task<IPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.Locale ??= "ja-JP";
        var context = await Browser.NewContextAsync(options);
        contexts.Add(context);
        context.SetDefaultTimeout(WaitTimeoutMs);
        context.SetDefaultNavigationTimeout(WaitTimeoutMs);
        return await context.NewPageAsync();
    }

    /// <summary>A fresh user and client, and the browser on the login page the RP's authorization request leads to.</summary>
    protected async Task<LoginAttempt> OpenLoginFromRelyingPartyAsync(IPage page)
    {
        var user = await Idp.CreateUserAsync();
        var request = Rp.CreateSignInRequest(await Rp.RegisterClientAsync());
        await page.GotoAsync(request.AuthorizeUrl.ToString());
        var login = new LoginPage(page);
        await login.WaitUntilShownAsync();
        return new LoginAttempt(user, request, login);
    }

    /// <summary>Waits until the browser has been sent back to the RP's callback page.</summary>
    protected async Task<Uri> WaitForCallbackAsync(IPage page)
    {
        var callback = Rp.CallbackUri.GetLeftPart(UriPartial.Path);
        await page.WaitForURLAsync(url => url.StartsWith(callback + "?", StringComparison.Ordinal));
        await page.Locator("#" + RelyingParty.CallbackMarkerId).WaitForAsync();
        return new Uri(page.Url);
    }

    /// <summary>Saves a full-page screenshot under the test's work directory and attaches it to the result.</summary>
    protected static async Task<string> SaveScreenshotAsync(IPage page, string name, string description)
    {
        var test = TestContext.CurrentContext.Test;
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-artifacts", test.ClassName ?? "tests");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{test.MethodName}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, description);
        return path;
    }
}
