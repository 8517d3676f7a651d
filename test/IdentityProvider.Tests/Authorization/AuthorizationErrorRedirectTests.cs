using System.Net;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Authorization;

/// <summary>Errors of known clients go back to them (RFC 6749 §4.1.2.1, RFC 9207); loopback redirect URIs (RFC 8252 §7.3).</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AuthorizationErrorRedirectTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [TestCase("response_type", "token", "unsupported_response_type")]
    [TestCase("scope", "openid bogus", "invalid_scope")]
    [TestCase("prompt", "select_account", "invalid_request")]
    [TestCase("code_challenge_method", "plain", "invalid_request")]
    public async Task Authorize_InvalidRequestOfAKnownClient_RedirectsTheErrorWithStateAndIss(string name, string value, string error)
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var url = TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "e1", extra: new Dictionary<string, string?> { [name] = value });

        using var response = await browser.GetAsync(url);

        var callback = TestBrowser.Location(response);
        var parameters = name == "response_type"
            ? QueryHelpers.ParseQuery(callback.Fragment.TrimStart('#')).ToDictionary(p => p.Key, p => p.Value.ToString())
            : TestBrowser.Query(callback);
        Assert.Multiple(() =>
        {
            Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
            Assert.That(parameters["error"], Is.EqualTo(error));
            Assert.That(parameters, Does.ContainKey("error_description"));
            Assert.That(parameters["state"], Is.EqualTo("e1"));
            Assert.That(parameters["iss"], Is.EqualTo("https://localhost/"));
        });
    }

    [Test]
    public async Task Authorize_ErrorWithResponseModeFragment_IsInTheFragment()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce: null, state: "f1", extra: new Dictionary<string, string?> { ["response_mode"] = "fragment" }));

        var callback = TestBrowser.Location(response);
        Assert.That(callback.Query, Is.Empty);
        Assert.That(callback.Fragment, Does.Contain("error=invalid_request").And.Contain("state=f1"));
    }

    [Test]
    public async Task Authorize_InvalidRequestWithAnUnregisteredRedirectUri_StaysOnTheErrorPage()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, "https://attacker.example/cb", pkce: null, extra: new Dictionary<string, string?> { ["response_type"] = "token" }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
    }

    [Test]
    public async Task Authorize_RepeatedClientId_StaysOnTheErrorPage()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()) + "&client_id=" + clientId);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
    }

    [TestCase("http://127.0.0.1:53123/callback")]
    [TestCase("http://127.0.0.1:80/callback")]
    [TestCase("http://[::1]:61000/callback")]
    public async Task Authorize_PublicClientOnALoopbackIpLiteral_AcceptsAnyPort(string requested)
    {
        var clientId = await LoopbackClientAsync(isPublic: true);
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();

        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, requested, pkce), user);

        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(new Uri(requested).GetLeftPart(UriPartial.Path)));
        var code = TestBrowser.Query(callback)["code"];
        var form = CodeRedemption(clientId, code, pkce);
        form["redirect_uri"] = requested;
        var (status, json) = await browser.TokenAsync(form);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
    }

    [TestCase("http://127.0.0.1:53123/other")]
    [TestCase("http://localhost:53123/callback")]
    [TestCase("https://127.0.0.1:53123/callback")]
    public async Task Authorize_LoopbackRedirectUri_OtherwiseStillMatchesExactly(string requested)
    {
        var clientId = await LoopbackClientAsync(isPublic: true);
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, requested, Pkce.Create()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
    }

    [Test]
    public async Task Authorize_ConfidentialClientOnALoopbackIpLiteral_MatchesExactly()
    {
        var clientId = await LoopbackClientAsync(isPublic: false);
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, "http://127.0.0.1:53123/callback", Pkce.Create()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private async Task<string> LoopbackClientAsync(bool isPublic)
    {
        var id = "native-" + Guid.NewGuid().ToString("N")[..10];
        await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = id,
            Public = isPublic,
            RedirectUris = ["http://127.0.0.1/callback", "http://[::1]/callback", "http://localhost/callback"],
        });
        return id;
    }
}
