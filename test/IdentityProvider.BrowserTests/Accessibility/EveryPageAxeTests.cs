using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IdentityProvider.BrowserTests.Accessibility;

/// <summary>
/// axe-core over every page a person can reach without a mailed link, in each state worth checking
/// (empty, with field errors, after submitting), in Japanese and English, on a desktop and on a
/// phone. The flows that need a mailed link (reset, unlock) are checked by their own tests, whose
/// screenshots and final pages run axe too (<see cref="BrowserFixture"/>).
/// </summary>
public sealed class EveryPageAxeTests : BrowserFixture
{
    public static IEnumerable<TestCaseData> Screens()
    {
        foreach (var locale in new[] { "ja-JP", "en-US" })
        {
            yield return new TestCaseData(locale, false).SetArgDisplayNames(locale, "desktop");
            yield return new TestCaseData(locale, true).SetArgDisplayNames(locale, "phone");
        }
    }

    [TestCaseSource(nameof(Screens))]
    public async Task LoginPage_EmptyWithFieldErrorsAndWithAWrongPassword_HasNoSeriousViolation(string locale, bool phone)
    {
        var page = await NewPageAsync(Options(locale, phone));
        var (user, _, login) = await OpenLoginFromRelyingPartyAsync(page);
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "empty");

        await login.Submit.ClickAsync();
        await Expect(login.Email).ToHaveAttributeAsync("aria-invalid", "true");
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "field errors");

        await login.SignInAsync(user.Email, "Wrong-" + user.Password);
        await Expect(login.Error).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "wrong password");
    }

    [TestCaseSource(nameof(Screens))]
    public async Task ForgotPassword_FormErrorAndConfirmation_HaveNoSeriousViolation(string locale, bool phone)
    {
        var page = await NewPageAsync(Options(locale, phone));
        await page.GotoAsync(Url("/Account/ForgotPassword"));
        var forgot = new ForgotPasswordPage(page);
        await Expect(forgot.Form).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "empty");

        await forgot.Email.FillAsync("not an address");
        await forgot.Submit.ClickAsync();
        await Expect(forgot.EmailError).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "field error");

        await forgot.Email.FillAsync($"nobody-{Guid.NewGuid():N}@example.test");
        await forgot.Submit.ClickAsync();
        await Expect(forgot.Sent).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "sent");
    }

    [TestCaseSource(nameof(Screens))]
    public async Task MailedLinkPages_WithAnUnknownToken_ShowTheLinkProblem_WithoutSeriousViolation(string locale, bool phone)
    {
        var page = await NewPageAsync(Options(locale, phone));
        foreach (var path in new[] { "/Account/ResetPassword?token=unknown", "/Account/Unlock?token=unknown" })
        {
            await page.GotoAsync(Url(path));
            await Expect(new LinkProblemPage(page).Message).ToBeVisibleAsync();
            await AxeCheck.AssertNoSeriousViolationsAsync(page, path);
        }
    }

    [TestCaseSource(nameof(Screens))]
    public async Task SessionPages_HomeLogoutConfirmationAndSignedOut_HaveNoSeriousViolation(string locale, bool phone)
    {
        var page = await NewPageAsync(Options(locale, phone));
        await page.GotoAsync(Url("/"));
        await Expect(page.Locator("#not-signed-in")).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "home, signed out");

        var (user, _, login) = await OpenLoginFromRelyingPartyAsync(page);
        await login.SignInAsync(user.Email, user.Password);
        await WaitForCallbackAsync(page);
        await page.GotoAsync(Url("/"));
        await Expect(page.Locator("#signed-in-as")).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "home, signed in");

        await page.GotoAsync(Url("/connect/endsession"));
        var endSession = new EndSessionPage(page);
        await Expect(endSession.Question).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "logout confirmation");

        await endSession.Submit.ClickAsync();
        await Expect(new SignedOutPage(page).Message).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "signed out");
    }

    [TestCaseSource(nameof(Screens))]
    public async Task ErrorPages_NotFoundAndAnInvalidAuthorizationRequest_HaveNoSeriousViolation(string locale, bool phone)
    {
        var page = await NewPageAsync(Options(locale, phone));
        await page.GotoAsync(Url("/no-such-page"));
        await Expect(page.Locator("#error-message")).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "404");

        await page.GotoAsync(Url("/connect/authorize?client_id=unknown-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fexample.test%2Fcb"));
        await Expect(page.Locator("#error-code")).ToBeVisibleAsync();
        await AxeCheck.AssertNoSeriousViolationsAsync(page, "invalid authorization request");
    }

    [Test]
    public async Task AxeCheck_FailsOnASeriousViolation()
    {
        // The check itself can fail: an image without a text alternative is a critical violation.
        var page = await NewPageAsync();
        await page.SetContentAsync("<!DOCTYPE html><html lang=\"ja\"><head><title>t</title></head><body><main><img src=\"data:,\"></main></body></html>");

        var failure = Assert.ThrowsAsync<AssertionException>(() => AxeCheck.AssertNoSeriousViolationsAsync(page, "self-test"));
        Assert.That(failure!.Message, Does.Contain("image-alt"));
    }

    private static string Url(string path) => new Uri(Idp.BaseAddress, path).ToString();

    /// <summary>A desktop browser, or an iPhone SE-sized phone: the smallest screen still in common use.</summary>
    private static BrowserNewContextOptions Options(string locale, bool phone) => phone
        ? new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 375, Height = 667 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        }
        : new BrowserNewContextOptions { Locale = locale };
}
