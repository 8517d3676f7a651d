using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// Base of the browser test fixtures: a fresh browser context per test (so cookies never leak
/// between tests), page helpers, and screenshots attached to the result. The IdP, RP and Chromium
/// are shared by all fixtures (<see cref="BrowserSession"/>); each test makes its own user and
/// client, so tests never depend on each other's state.
/// </summary>
public abstract class BrowserFixture
{
    /// <summary>How long any one browser wait may take: long enough for a cold first request, short enough to fail fast.</summary>
    private const float WaitTimeoutMs = 15_000;

    private readonly List<IBrowserContext> contexts = [];
    private readonly List<string> consoleErrors = [];

    /// <summary>Contexts made with scripts off: axe-core, itself a script, checks their pages as copies.</summary>
    private readonly HashSet<IBrowserContext> scriptless = [];

    protected static IdpTestHost Idp => BrowserSession.Current.Idp;

    protected static RelyingParty Rp => BrowserSession.Current.Rp;

    protected static IBrowser Browser => BrowserSession.Current.Browser;

    [OneTimeSetUp]
    public void ClearArtifacts()
    {
        // Screenshots of an earlier run must not pass for this run's.
        if (Directory.Exists(ArtifactFolder))
        {
            Directory.Delete(ArtifactFolder, recursive: true);
        }
    }

    [TearDown]
    public async Task CloseContextsAsync()
    {
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status != TestStatus.Failed)
            {
                // Every browser test also checks, with axe-core, each IdP page it leaves open.
                foreach (var page in contexts.SelectMany(c => c.Pages).Where(p => !p.IsClosed && IsIdpPage(p)).ToList())
                {
                    await CheckWithAxeAsync(page, "at the end of the test");
                }
            }

            if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
            {
                // What the browser showed when the test failed: the first thing to look at.
                // The browser's own errors name what a timeout cannot (e.g. a CSP violation).
                string[] errors;
                lock (consoleErrors)
                {
                    errors = [.. consoleErrors];
                }

                foreach (var error in errors)
                {
                    await TestContext.Out.WriteLineAsync("browser console: " + error);
                }

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
            scriptless.Clear();
            lock (consoleErrors)
            {
                consoleErrors.Clear();
            }
        }
    }

    /// <summary>
    /// A new page in a fresh browser context. The locale defaults to ja-JP (the service's users;
    /// headless Chromium would say en-US) unless the test sets a locale or its own Accept-Language,
    /// which a locale would override.
    /// </summary>
    protected async Task<IPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        if (options.ExtraHTTPHeaders?.Any(h => h.Key.Equals("Accept-Language", StringComparison.OrdinalIgnoreCase)) != true)
        {
            options.Locale ??= "ja-JP";
        }

        var context = await Browser.NewContextAsync(options);
        contexts.Add(context);
        if (options.JavaScriptEnabled == false)
        {
            scriptless.Add(context);
        }

        context.SetDefaultTimeout(WaitTimeoutMs);
        context.SetDefaultNavigationTimeout(WaitTimeoutMs);
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add(message.Text);
                }
            }
        };
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

    /// <summary>browser-artifacts/{fixture} under NUnit's work directory (the test results folder in CI).</summary>
    private string ArtifactFolder => Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-artifacts", GetType().Name);

    /// <summary>Where the identity providers of this fixture are reached; pages elsewhere (the relying parties) are not ours to check.</summary>
    protected virtual IEnumerable<Uri> IdpAddresses => [Idp.BaseAddress];

    private bool IsIdpPage(IPage page) =>
        Uri.TryCreate(page.Url, UriKind.Absolute, out var url) &&
        IdpAddresses.Any(idp => Uri.Compare(url, idp, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);

    /// <summary>
    /// axe-core on the page as shown. axe is a script, and a context with scripts off never runs it:
    /// such a page is checked as a copy of its markup, served at its own URL (so its style sheets
    /// load from the IdP) in a context with scripts on.
    /// </summary>
    private async Task CheckWithAxeAsync(IPage page, string state)
    {
        if (!scriptless.Contains(page.Context))
        {
            await AxeCheck.AssertNoSeriousViolationsAsync(page, state);
            return;
        }

        var url = page.Url;
        var html = await page.ContentAsync();
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "ja-JP" });
        var copy = await context.NewPageAsync();
        await copy.RouteAsync(requested => requested == url, route => route.FulfillAsync(new RouteFulfillOptions
        {
            Body = html,
            ContentType = "text/html; charset=utf-8",
        }));
        await copy.GotoAsync(url);
        await AxeCheck.AssertNoSeriousViolationsAsync(copy, state + ", checked as a copy: its own context runs no script");
    }

    /// <summary>
    /// Saves a full-page screenshot under <see cref="ArtifactFolder"/> and attaches it to the test
    /// result; a state worth a screenshot is also checked with axe-core when the page is the IdP's.
    /// </summary>
    protected async Task<string> SaveScreenshotAsync(IPage page, string name, string description)
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != TestStatus.Failed && IsIdpPage(page))
        {
            await CheckWithAxeAsync(page, name);
        }

        Directory.CreateDirectory(ArtifactFolder);
        // The test name includes the arguments of a [TestCase], so that cases do not overwrite each other.
        var testName = string.Concat(TestContext.CurrentContext.Test.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_'));
        var path = Path.Combine(ArtifactFolder, $"{testName}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, description);
        return path;
    }
}
