using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Clients;

/// <summary>
/// Issue 20, finding 16: a browser app (the README's SPA) calls the token, revocation and userinfo
/// endpoints from its own origin, which its client lists (<c>--allowed-origin</c>); discovery and
/// JWKS answer any origin. Real HTTP requests carrying <c>Origin</c>, and preflights.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ClientCorsTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    private const string AllowOrigin = "Access-Control-Allow-Origin";

    [TestCase("/.well-known/openid-configuration")]
    [TestCase("/.well-known/jwks")]
    public async Task PublicDocument_FromAnyOrigin_AllowsEveryOrigin(string path)
    {
        using var browser = Host.CreateBrowser();

        using var response = await SendAsync(browser, HttpMethod.Get, path, "https://anyone.example");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(response, AllowOrigin), Is.EqualTo("*"));
            Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null);
        }
    }

    [Test]
    public async Task TokenPreflight_FromAListedOrigin_AllowsPostWithoutCredentials()
    {
        var origin = UniqueOrigin();
        await SpaClientAsync(origin);
        using var browser = Host.CreateBrowser();

        using var response = await PreflightAsync(browser, "/connect/token", origin, "POST", "content-type");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Header(response, AllowOrigin), Is.EqualTo(origin));
            Assert.That(Header(response, "Access-Control-Allow-Methods"), Is.EqualTo("POST"));
            Assert.That(Header(response, "Access-Control-Allow-Headers"), Does.Contain("Content-Type"));
            Assert.That(Header(response, "Access-Control-Max-Age"), Is.EqualTo("600"));
            Assert.That(Header(response, "Vary"), Does.Contain("Origin"));
            Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null);
        }
    }

    [Test]
    public async Task TokenPreflight_FromAnUnlistedOrigin_HasNoAllowOrigin()
    {
        await SpaClientAsync(UniqueOrigin());
        using var browser = Host.CreateBrowser();

        using var response = await PreflightAsync(browser, "/connect/token", UniqueOrigin(), "POST", "content-type");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Header(response, AllowOrigin), Is.Null);
            Assert.That(Header(response, "Access-Control-Allow-Methods"), Is.Null);
        }
    }

    [Test]
    public async Task Token_CodeRedemptionFromTheClientsOrigin_AllowsThatOrigin()
    {
        var origin = UniqueOrigin();
        var clientId = await SpaClientAsync(origin);
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user);

        using var response = await SendAsync(browser, HttpMethod.Post, "/connect/token", origin, CodeRedemption(clientId, TestBrowser.Query(callback)["code"], pkce));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            Assert.That(Header(response, AllowOrigin), Is.EqualTo(origin));
            Assert.That(Header(response, "Vary"), Does.Contain("Origin"));
            Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null);
        }
    }

    [Test]
    public async Task Token_NamingAClientThatDoesNotListTheOrigin_HasNoAllowOrigin()
    {
        var origin = UniqueOrigin();
        var listing = await SpaClientAsync(origin);
        var other = await SpaClientAsync(UniqueOrigin());
        using var browser = Host.CreateBrowser();

        using var forOther = await SendAsync(browser, HttpMethod.Post, "/connect/token", origin, BogusCodeRedemption(other));
        using var forListing = await SendAsync(browser, HttpMethod.Post, "/connect/token", origin, BogusCodeRedemption(listing));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(forOther.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(Header(forOther, AllowOrigin), Is.Null, "another client's origin may not read this client's answers");
            Assert.That(forListing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(Header(forListing, AllowOrigin), Is.EqualTo(origin), "the app may read its own errors");
        }
    }

    [Test]
    public async Task Token_ClientNamedByHttpBasic_IsTheOneWhoseOriginsCount()
    {
        var origin = UniqueOrigin();
        var listing = await Host.RegisterClientAsync(new ClientRegistration { ClientId = UniqueClientId(), AllowedOrigins = [origin] });
        var other = await Host.RegisterClientAsync(new ClientRegistration { ClientId = UniqueClientId() });
        using var browser = Host.CreateBrowser();

        using var asListing = await ClientCredentialsAsync(browser, origin, listing);
        using var asOther = await ClientCredentialsAsync(browser, origin, other);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(asListing.StatusCode, Is.EqualTo(HttpStatusCode.OK), await asListing.Content.ReadAsStringAsync());
            Assert.That(Header(asListing, AllowOrigin), Is.EqualTo(origin));
            Assert.That(asOther.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(asOther, AllowOrigin), Is.Null);
        }
    }

    [Test]
    public async Task Revocation_AllowsOnlyTheNamedClientsOrigin()
    {
        var origin = UniqueOrigin();
        var listing = await SpaClientAsync(origin);
        var other = await SpaClientAsync(UniqueOrigin());
        using var browser = Host.CreateBrowser();

        using var forListing = await SendAsync(browser, HttpMethod.Post, "/connect/revoke", origin, new() { ["client_id"] = listing, ["token"] = "not-a-token" });
        using var forOther = await SendAsync(browser, HttpMethod.Post, "/connect/revoke", origin, new() { ["client_id"] = other, ["token"] = "not-a-token" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(forListing, AllowOrigin), Is.EqualTo(origin), $"{(int)forListing.StatusCode}");
            Assert.That(Header(forOther, AllowOrigin), Is.Null);
        }
    }

    [Test]
    public async Task UserInfo_FromAListedOrigin_AllowsItAndExposesTheChallenge()
    {
        var origin = UniqueOrigin();
        await SpaClientAsync(origin);
        using var browser = Host.CreateBrowser();

        using var preflight = await PreflightAsync(browser, "/connect/userinfo", origin, "GET", "authorization");
        using var listed = await SendAsync(browser, HttpMethod.Get, "/connect/userinfo", origin, bearer: "not-a-token");
        using var unlisted = await SendAsync(browser, HttpMethod.Get, "/connect/userinfo", UniqueOrigin(), bearer: "not-a-token");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(preflight, AllowOrigin), Is.EqualTo(origin));
            Assert.That(Header(preflight, "Access-Control-Allow-Headers"), Does.Contain("Authorization"));
            Assert.That(Header(preflight, "Access-Control-Allow-Methods"), Does.Contain("GET"));
            Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(Header(listed, AllowOrigin), Is.EqualTo(origin));
            Assert.That(Header(listed, "Access-Control-Expose-Headers"), Is.EqualTo("WWW-Authenticate"));
            Assert.That(Header(unlisted, AllowOrigin), Is.Null);
        }
    }

    [TestCase("GET", "/Account/Login")]
    [TestCase("GET", "/connect/authorize")]
    [TestCase("POST", "/connect/introspect")]
    [TestCase("POST", "/connect/par")]
    [TestCase("GET", "/admin/api/clients")]
    [TestCase("OPTIONS", "/admin/api/clients")]
    public async Task OtherEndpoints_FromAListedOrigin_NeverAnswerCors(string method, string path)
    {
        var origin = UniqueOrigin();
        await SpaClientAsync(origin);
        using var browser = Host.CreateBrowser();

        using var response = method == "OPTIONS"
            ? await PreflightAsync(browser, path, origin, "GET", "authorization")
            : await SendAsync(browser, new HttpMethod(method), path, origin, method == "POST" ? new() { ["client_id"] = "x" } : null);

        Assert.That(Header(response, AllowOrigin), Is.Null, $"{(int)response.StatusCode}");
    }

    [Test]
    public async Task ClientChanges_OnThisNode_ApplyToTheNextPreflightAtOnce()
    {
        var origin = UniqueOrigin();
        using var browser = Host.CreateBrowser();
        using var beforeRegistration = await PreflightAsync(browser, "/connect/token", origin, "POST", "content-type");

        var clientId = await SpaClientAsync(origin);
        using var afterRegistration = await PreflightAsync(browser, "/connect/token", origin, "POST", "content-type");

        await Host.InScopeAsync(async services =>
        {
            await services.GetRequiredService<ClientRegistry>().RemoveAsync(clientId);
            return true;
        });
        using var afterRemoval = await PreflightAsync(browser, "/connect/token", origin, "POST", "content-type");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(beforeRegistration, AllowOrigin), Is.Null);
            Assert.That(Header(afterRegistration, AllowOrigin), Is.EqualTo(origin));
            Assert.That(Header(afterRemoval, AllowOrigin), Is.Null);
        }
    }

    private async Task<string> SpaClientAsync(params string[] origins)
    {
        var clientId = UniqueClientId();
        await Host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri], AllowedOrigins = origins });
        return clientId;
    }

    private static Dictionary<string, string> BogusCodeRedemption(string clientId) => new()
    {
        ["grant_type"] = "authorization_code",
        ["client_id"] = clientId,
        ["code"] = "not-a-code",
        ["redirect_uri"] = RedirectUri,
        ["code_verifier"] = new string('v', 43),
    };

    private static async Task<HttpResponseMessage> ClientCredentialsAsync(TestBrowser browser, string origin, RegisteredClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Add("Origin", origin);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(
            Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(client.Client.ClientId)}:{Uri.EscapeDataString(client.Secret!)}")));
        return await browser.Http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendAsync(
        TestBrowser browser, HttpMethod method, string path, string origin, Dictionary<string, string>? form = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await browser.Http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> PreflightAsync(TestBrowser browser, string path, string origin, string method, string headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return await browser.Http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    private static string UniqueOrigin() => $"https://spa-{Guid.NewGuid():N}.example";

    private static string UniqueClientId() => "cors-" + Guid.NewGuid().ToString("N")[..12];
}
