using System.Net;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Authorization;

/// <summary>prompt, max_age and bad authorization requests (OIDC Core §3.1.2).</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AuthorizationRequestTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task Authorize_WithSession_IssuesCodeWithoutAskingAgain()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "s2"));

        var callback = TestBrowser.Location(response);
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
        Assert.That(TestBrowser.Query(callback)["state"], Is.EqualTo("s2"));
        Assert.That(TestBrowser.Query(callback), Does.ContainKey("code"));
    }

    [Test]
    public async Task Authorize_SessionOfADeletedUser_AsksForLoginAndIssuesNoCode()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        var deleted = await Host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.DeleteAsync((await users.FindByEmailAsync(user.Email))!);
        });
        Assert.That(deleted.Succeeded, Is.True, string.Join("; ", deleted.Errors.Select(e => e.Description)));

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        using var silent = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }));

        Assert.Multiple(() =>
        {
            Assert.That(TestBrowser.Location(response).AbsolutePath, Is.EqualTo("/Account/Login"), "the cookie outlived its user");
            Assert.That(TestBrowser.Query(TestBrowser.Location(silent))["error"], Is.EqualTo("login_required"));
        });
    }

    [Test]
    public async Task Authorize_PromptLogin_WithSession_AsksForLoginAndThenIssuesAFreshAuthTime()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        Host.Clock.Advance(TimeSpan.FromMinutes(10));
        var pkce = Pkce.Create();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce, extra: new Dictionary<string, string?> { ["prompt"] = "login" }));
        var login = TestBrowser.Location(response);
        Assert.That(login.AbsolutePath, Is.EqualTo("/Account/Login"));

        using var posted = await browser.LoginAsync(login.PathAndQuery, user.Email, user.Password);
        using var back = await browser.GetAsync(TestBrowser.Location(posted).PathAndQuery);
        var callback = TestBrowser.Location(back);
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri), "a satisfied prompt=login must not loop");

        var (_, tokens) = await browser.TokenAsync(CodeRedemption(clientId, TestBrowser.Query(callback)["code"], pkce));
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.That(long.Parse(idToken.GetClaim("auth_time").Value), Is.EqualTo(Host.Clock.GetUtcNow().ToUnixTimeSeconds()).Within(2));
    }

    [Test]
    public async Task Authorize_MaxAgeExceeded_AsksForLoginAgain()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        using var fresh = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?> { ["max_age"] = "300" }));
        Assert.That(TestBrowser.Location(fresh).GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri), "within max_age");

        Host.Clock.Advance(TimeSpan.FromSeconds(301));
        using var stale = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?> { ["max_age"] = "300" }));
        Assert.That(TestBrowser.Location(stale).AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task Authorize_PromptNone_WithoutSession_ReturnsLoginRequiredToTheClient()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "n1", extra: new Dictionary<string, string?> { ["prompt"] = "none" }));

        var callback = TestBrowser.Location(response);
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
        Assert.That(TestBrowser.Query(callback)["error"], Is.EqualTo("login_required"));
        Assert.That(TestBrowser.Query(callback)["state"], Is.EqualTo("n1"));
    }

    [Test]
    public async Task Authorize_ForgedReauthenticationMarker_DoesNotSatisfyPromptLogin()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?>
        {
            ["prompt"] = "login",
            ["idp_reauth"] = "CfDJ8forged",
        }));

        Assert.That(TestBrowser.Location(response).AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task Authorize_UnknownClient_ShowsAnErrorPageAndDoesNotRedirect()
    {
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl("no-such-client", RedirectUri, Pkce.Create()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("id=\"error-message\""));
        Assert.That(html, Does.Contain("invalid_request").Or.Contain("invalid_client"));
    }

    [Test]
    public async Task Authorize_RedirectUriNotRegistered_ShowsAnErrorPageAndDoesNotRedirect()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, "https://attacker.example/cb", Pkce.Create()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("id=\"error-message\""));
    }

    [Test]
    public async Task Authorize_PublicClientWithoutPkce_IsRejectedAtTheRedirectUri()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce: null, state: "p1"));

        // A known client and registered redirect URI: the error goes back to the client (RFC 6749 §4.1.2.1).
        AssertErrorAtClient(response, "invalid_request", "code_challenge", "p1");
    }

    [Test]
    public async Task Authorize_PlainPkceMethod_IsRejected()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce: null, state: "p2", extra: new Dictionary<string, string?>
        {
            ["code_challenge"] = pkce.Verifier,
            ["code_challenge_method"] = "plain",
        }));

        AssertErrorAtClient(response, "invalid_request", "code_challenge_method", "p2");
    }

    [Test]
    public async Task Token_WrongPkceVerifier_IsRejected()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()), user);

        var (status, json) = await browser.TokenAsync(CodeRedemption(clientId, TestBrowser.Query(callback)["code"], Pkce.Create()));

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task Token_ReplayedCode_IsRejected_AndTheTokensIssuedFromItAreRevoked()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user);
        var code = TestBrowser.Query(callback)["code"];
        var (firstStatus, tokens) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce));
        Assert.That(firstStatus, Is.EqualTo(HttpStatusCode.OK));

        var (replayStatus, replay) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce));

        Assert.That(replayStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(replay.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        // RFC 6749 §4.1.2: the tokens issued from a replayed code are revoked.
        var (refreshStatus, _) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = clientId,
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
        });
        Assert.That(refreshStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        using var userInfo = await UserInfoAsync(browser.Http, tokens.GetProperty("access_token").GetString()!);
        Assert.That(userInfo.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Token_ExpiredCode_IsRejected()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user);

        Host.Clock.Advance(TimeSpan.FromMinutes(6));
        var (status, json) = await browser.TokenAsync(CodeRedemption(clientId, TestBrowser.Query(callback)["code"], pkce));

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task Token_CodeOfAnotherClient_IsRejected()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        var otherClient = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user);

        var (status, json) = await browser.TokenAsync(CodeRedemption(otherClient, TestBrowser.Query(callback)["code"], pkce));

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task Login_WrongPassword_ShowsTheSameErrorAsAnUnknownAddress_AndStartsNoSession()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        using var wrong = await browser.LoginAsync("/Account/Login", user.Email, "Wrong-Password-123!");
        using var unknown = await browser.LoginAsync("/Account/Login", "nobody-" + Guid.NewGuid().ToString("N") + "@example.test", "Wrong-Password-123!");

        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var wrongError = ErrorText(await wrong.Content.ReadAsStringAsync());
        Assert.That(wrongError, Is.Not.Empty);
        Assert.That(ErrorText(await unknown.Content.ReadAsStringAsync()), Is.EqualTo(wrongError));
        Assert.That(wrong.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("idp.session=", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task Login_OpenRedirectInReturnUrl_IsIgnored()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.LoginAsync("/Account/Login?ReturnUrl=" + Uri.EscapeDataString("https://attacker.example/"), user.Email, user.Password);

        Assert.That(TestBrowser.Location(response).Host, Is.EqualTo("localhost"));
    }

    private static void AssertErrorAtClient(HttpResponseMessage response, string error, string parameter, string state)
    {
        var callback = TestBrowser.Location(response);
        var query = TestBrowser.Query(callback);
        Assert.Multiple(() =>
        {
            Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
            Assert.That(query["error"], Is.EqualTo(error));
            Assert.That(query["error_description"], Does.Contain(parameter));
            Assert.That(query["state"], Is.EqualTo(state));
            Assert.That(query, Does.ContainKey("iss"));
            Assert.That(query, Does.Not.ContainKey("code"));
        });
    }

    private static string ErrorText(string html)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, "id=\"login-error\"[^>]*>([^<]*)<");
        return match.Success ? match.Groups[1].Value : string.Empty;
    }
}
