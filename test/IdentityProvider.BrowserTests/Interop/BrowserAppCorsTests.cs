using System.Text.Json;
using IdentityProvider.BrowserTests.Infrastructure;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.BrowserTests.Interop;

/// <summary>
/// The README's browser app, in Chromium: a page on another loopback origin than the IdP (the
/// relying party's, <c>http://127.0.0.1:port</c>) redeems its code at the token endpoint and calls
/// userinfo with <c>fetch</c>. Chromium enforces CORS itself, preflight included; the HTTP-level
/// cases are in <c>ClientCorsTests</c>.
/// </summary>
public sealed class BrowserAppCorsTests : BrowserFixture
{
    /// <summary>Runs in the page: a form POST (or a GET with a bearer token), the answer or the error fetch threw.</summary>
    private const string Fetch = """
        async ({ url, form, bearer }) => {
          try {
            const init = form
              ? { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) }
              : { headers: { 'Authorization': 'Bearer ' + bearer } };
            const response = await fetch(url, init);
            return JSON.stringify({ status: response.status, body: await response.json() });
          } catch (error) {
            return JSON.stringify({ error: String(error) });
          }
        }
        """;

    private static string AppOrigin => Rp.CallbackUri.GetLeftPart(UriPartial.Authority);

    [Test]
    public async Task BrowserApp_OnAnOriginItsClientLists_RedeemsTheCodeAndCallsUserInfoWithFetch()
    {
        var clientId = await RegisterAsync(AppOrigin);
        var user = await Idp.CreateUserAsync();
        var request = Rp.CreateSignInRequest(clientId);
        var page = await NewPageAsync();
        await page.GotoAsync(request.AuthorizeUrl.ToString());
        var login = new Pages.LoginPage(page);
        await login.WaitUntilShownAsync();
        await login.SignInAsync(user.Email, user.Password);
        var code = TestBrowser.Query(await WaitForCallbackAsync(page))["code"];

        var tokens = await FetchAsync(page, new
        {
            url = new Uri(Idp.BaseAddress, "/connect/token").ToString(),
            form = new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = clientId,
                ["code"] = code,
                ["redirect_uri"] = Rp.CallbackUri.ToString(),
                ["code_verifier"] = request.Pkce.Verifier,
            },
            bearer = (string?)null,
        });
        Assert.That(tokens.TryGetProperty("status", out var status) ? status.GetInt32() : 0, Is.EqualTo(200), tokens.ToString());
        var accessToken = tokens.GetProperty("body").GetProperty("access_token").GetString();

        // A GET with Authorization is not a simple request: Chromium sends a preflight first.
        var userInfo = await FetchAsync(page, new { url = new Uri(Idp.BaseAddress, "/connect/userinfo").ToString(), form = (object?)null, bearer = accessToken });
        Assert.That(userInfo.TryGetProperty("status", out var userInfoStatus) ? userInfoStatus.GetInt32() : 0, Is.EqualTo(200), userInfo.ToString());
        Assert.That(userInfo.GetProperty("body").GetProperty("email").GetString(), Is.EqualTo(user.Email));
    }

    [Test]
    public async Task BrowserApp_OnAnOriginItsClientDoesNotList_CannotReadTheTokenAnswer()
    {
        // The origin is listed, but by another client: it may not read this client's answers.
        await RegisterAsync(AppOrigin);
        var clientId = await RegisterAsync();
        var page = await NewPageAsync();
        await page.GotoAsync(Rp.CallbackUri.ToString());

        var result = await FetchAsync(page, new
        {
            url = new Uri(Idp.BaseAddress, "/connect/token").ToString(),
            form = new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = clientId,
                ["code"] = "not-a-code",
                ["redirect_uri"] = Rp.CallbackUri.ToString(),
                ["code_verifier"] = new string('v', 43),
            },
            bearer = (string?)null,
        });

        Assert.That(result.TryGetProperty("error", out var error) ? error.GetString() : null, Does.Contain("Failed to fetch"), result.ToString());
    }

    private static async Task<string> RegisterAsync(params string[] allowedOrigins)
    {
        var clientId = "browser-app-" + Guid.NewGuid().ToString("N")[..12];
        await Idp.RegisterClientAsync(new ClientRegistration
        {
            ClientId = clientId,
            Public = true,
            RedirectUris = [Rp.CallbackUri.ToString()],
            AllowedOrigins = allowedOrigins,
        });
        return clientId;
    }

    private static async Task<JsonElement> FetchAsync(Microsoft.Playwright.IPage page, object arguments) =>
        JsonDocument.Parse(await page.EvaluateAsync<string>(Fetch, arguments)).RootElement.Clone();
}
