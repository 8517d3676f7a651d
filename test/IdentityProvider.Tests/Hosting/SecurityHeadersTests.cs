using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// The headers of the hardening issue: on every page a CSP without inline script or style,
/// <c>frame-ancestors 'none'</c>, <c>Referrer-Policy</c> and no caching; no caching either of any
/// response that carries a token, code, link or secret; and a CSP for OpenIddict's form_post page
/// that allows its one inline script by hash and nothing else.
/// </summary>
[TestFixture]
public sealed partial class SecurityHeadersTests
{
    private const string RedirectUri = "http://127.0.0.1:7000/cb";
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, environment: "Production");

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [Test]
    public async Task EveryPage_HasTheStrictPolicy_NoCaching_AndNoInlineScriptOrStyle()
    {
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();
        using var signedIn = await browser.LoginAsync("/Account/Login", user.Email, user.Password);
        var pages = new[]
        {
            "/", "/Account/Login", "/Account/ForgotPassword", "/Account/ForgotPassword/Sent", "/Account/ResetPassword?token=unknown",
            "/Account/ResetPassword/Done", "/Account/Unlock?token=unknown", "/Account/Unlock/Done", "/Account/SignedOut",
            "/connect/endsession", "/error", "/no/such/page",
        };

        foreach (var path in pages)
        {
            using var response = await browser.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Multiple(() =>
            {
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), path);
                Assert.That(policy, Does.Contain("script-src 'self'").And.Contain("style-src 'self'").And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"), path);
                Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"), path);
                Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"), path);
                AssertNotCached(response, path);
                Assert.That(InlineScriptOrStyle().Matches(html).Select(m => m.Value), Is.Empty, path);
            });
        }
    }

    [Test]
    public async Task StaticFilesAndDiscovery_AreNotMarkedNoStore()
    {
        using var http = host.CreateClient();

        using var css = await http.GetAsync("/css/site.css");
        using var discovery = await http.GetAsync("/.well-known/openid-configuration");

        Assert.Multiple(() =>
        {
            Assert.That(css.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(css.Headers.CacheControl?.NoStore ?? false, Is.False);
            Assert.That(discovery.Headers.CacheControl?.NoStore ?? false, Is.False);
            Assert.That(discovery.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo("default-src 'none'; frame-ancestors 'none'"));
        });
    }

    [Test]
    public async Task ResponsesCarryingCodesTokensAndSecrets_AreNotCached()
    {
        var user = await host.CreateUserAsync();
        var clientId = "web-" + Guid.NewGuid().ToString("N")[..10];
        var registered = await host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, RedirectUris = [RedirectUri] });
        using var browser = host.CreateBrowser();
        var pkce = Pkce.Create();

        using var par = await browser.Http.PostAsync("/connect/par", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = registered.Secret!,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid",
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
        }));
        using var toLogin = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce, scope: "openid"));
        using var signedIn = await browser.LoginAsync(TestBrowser.Location(toLogin).PathAndQuery, user.Email, user.Password);
        using var withCode = await browser.GetAsync(TestBrowser.Location(signedIn).PathAndQuery);
        using var token = await browser.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["client_secret"] = registered.Secret!,
            ["code"] = TestBrowser.Query(TestBrowser.Location(withCode))["code"],
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = pkce.Verifier,
        }));
        var accessToken = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        using var userinfo = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", accessToken) } };
        using var userinfoResponse = await browser.Http.SendAsync(userinfo);
        using var introspection = await browser.Http.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = registered.Secret!,
            ["token"] = accessToken,
        }));
        using var admin = await AdminApiSession.StartAsync(host);
        using var createdClient = await admin.PostAsync("/admin/api/clients", new { clientId = "api-" + Guid.NewGuid().ToString("N")[..10], redirectUris = new[] { RedirectUri } });

        Assert.Multiple(() =>
        {
            Assert.That(par.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(withCode.Headers.Location?.Query, Does.Contain("code="));
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(userinfoResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(introspection.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(createdClient.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            foreach (var (what, response) in new[] { ("PAR", par), ("code redirect", withCode), ("token", token), ("userinfo", userinfoResponse), ("introspection", introspection), ("admin API secret", createdClient) })
            {
                AssertNotCached(response, what);
            }
        });
    }

    [Test]
    public async Task FormPostResponse_AllowsExactlyItsOwnInlineScriptByHash()
    {
        var user = await host.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var browser = host.CreateBrowser();
        var authorize = TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), extra: new Dictionary<string, string?> { ["response_mode"] = "form_post" });
        using var toLogin = await browser.GetAsync(authorize);
        using var signedIn = await browser.LoginAsync(TestBrowser.Location(toLogin).PathAndQuery, user.Email, user.Password);

        using var formPost = await browser.GetAsync(TestBrowser.Location(signedIn).PathAndQuery);

        var html = await formPost.Content.ReadAsStringAsync();
        var scripts = Regex.Matches(html, "<script>(.*?)</script>", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        var policy = formPost.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Multiple(() =>
        {
            Assert.That(formPost.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain("name=\"code\""), "OpenIddict's auto-submitting form");
            Assert.That(scripts, Has.Count.EqualTo(1));
            Assert.That(policy, Does.Contain($"script-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(scripts[0])))}'"),
                "the hash of OpenIddict's script: if this fails, OpenIddict's page changed; update SecurityHeadersMiddleware.FormPostScript");
            Assert.That(policy, Does.StartWith("default-src 'none'").And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"));
            AssertNotCached(formPost, "form_post");
        });
    }

    private static void AssertNotCached(HttpResponseMessage response, string what)
    {
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True, $"{what}: Cache-Control no-store");
        Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"), $"{what}: Pragma");
    }

    /// <summary>A script element without <c>src</c>, a style element or attribute, or an event-handler attribute.</summary>
    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptOrStyle();
}
