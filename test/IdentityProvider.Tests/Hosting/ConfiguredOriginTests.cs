using System.Net;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Common;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// and finding 1 of the hardening issue: in Production, a forged <c>Host</c> or
/// <c>X-Forwarded-Host</c> shapes no link, redirect, endpoint URL or issuer; everything is built on
/// <c>Oidc:Issuer</c>. The test clients come from no address (TestServer), which the forwarded
/// headers middleware believes like a trusted proxy — the case of a proxy passing the client's host on.
/// </summary>
[TestFixture]
public sealed class ConfiguredOriginTests
{
    private const string Issuer = "https://login.example.jp/";
    private const string RedirectUri = "http://127.0.0.1:7000/cb";
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Oidc:Issuer"] = Issuer }, environment: "Production");

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [Test]
    public async Task ForgotPassword_WithForgedHostHeaders_MailsTheLinkOnTheIssuer()
    {
        var user = await host.CreateUserAsync();
        using var browser = ForgedBrowser();

        var form = await (await browser.GetAsync("/Account/ForgotPassword")).Content.ReadAsStringAsync();
        using var posted = await browser.SubmitFormAsync("/Account/ForgotPassword", form, new Dictionary<string, string> { ["Input.Email"] = user.Email });

        var mail = (await QueuedMail.ForAsync(host, user.Email, "PasswordReset")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(mail.TextBody, Does.Contain(Issuer + "Account/ResetPassword?token="));
            Assert.That(mail.HtmlBody, Does.Contain(Issuer + "Account/ResetPassword?token="));
            Assert.That(mail.TextBody + mail.HtmlBody, Does.Not.Contain("evil"));
        });
    }

    [Test]
    public async Task Discovery_WithForgedHostHeaders_PublishesTheIssuerAndEveryEndpointOnIt()
    {
        using var browser = ForgedBrowser();

        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        var urls = discovery.EnumerateObject()
            .Where(p => p.Name.EndsWith("_endpoint", StringComparison.Ordinal) || p.Name == "jwks_uri")
            .ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Multiple(() =>
        {
            Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo(Issuer));
            Assert.That(urls.Keys, Is.SupersetOf(new[]
            {
                "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "introspection_endpoint",
                "revocation_endpoint", "end_session_endpoint", "pushed_authorization_request_endpoint", "jwks_uri",
            }));
            Assert.That(urls.Values, Is.All.StartsWith(Issuer));
        });
    }

    [Test]
    public async Task CodeFlow_WithForgedHostHeaders_RedirectsAndIssuesTokensOnTheIssuer()
    {
        var user = await host.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var browser = ForgedBrowser();
        var pkce = Pkce.Create();

        using var authorize = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce));
        var login = TestBrowser.Location(authorize);
        using var signedIn = await browser.LoginAsync(login.PathAndQuery, user.Email, user.Password);
        using var resumed = await browser.GetAsync(TestBrowser.Location(signedIn).PathAndQuery);
        var callback = TestBrowser.Location(resumed);
        var query = TestBrowser.Query(callback);
        var (status, tokens) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = query["code"],
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = pkce.Verifier,
        });

        Assert.Multiple(() =>
        {
            Assert.That(login.GetLeftPart(UriPartial.Authority) + "/", Is.EqualTo(Issuer), "the cookie handler's login redirect");
            Assert.That(TestBrowser.Location(signedIn).Host, Is.Not.Contains("evil"), "the redirect after the login post");
            Assert.That(query["iss"], Is.EqualTo(Issuer), "RFC 9207 iss of the authorization response");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), tokens.ToString());
            Assert.That(new JsonWebToken(tokens.GetProperty("id_token").GetString()).Issuer, Is.EqualTo(Issuer));
            Assert.That(new JsonWebToken(tokens.GetProperty("access_token").GetString()).Issuer, Is.EqualTo(Issuer));
        });
    }

    [Test]
    public async Task UnknownPage_WithForgedHostHeaders_ReExecutesTheErrorPageWithoutALinkElsewhere()
    {
        using var browser = ForgedBrowser();

        using var response = await browser.GetAsync("/no/such/page");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("evil"));
    }

    [Test]
    public async Task IssuerWithAPath_IsTheBaseOfEveryEndpoint_WithOrWithoutThePathInTheRequest()
    {
        const string issuer = "https://login.example.jp/idp/";
        await using var below = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Oidc:Issuer"] = issuer }, environment: "Production");
        using var http = below.CreateClient();

        var viaPath = JsonDocument.Parse(await http.GetStringAsync("/idp/.well-known/openid-configuration")).RootElement;
        var stripped = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(viaPath.GetProperty("issuer").GetString(), Is.EqualTo(issuer));
            Assert.That(viaPath.GetProperty("token_endpoint").GetString(), Is.EqualTo(issuer + "connect/token"));
            Assert.That(viaPath.GetProperty("jwks_uri").GetString(), Does.StartWith(issuer));
            Assert.That(stripped.ToString(), Is.EqualTo(viaPath.ToString()), "behind a proxy that strips the path");
        });
    }

    [Test]
    public async Task Production_WithoutIssuer_DoesNotStart_AndNamesTheKey()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using var unconfigured = IdpTestHost.Unstarted(database, new Dictionary<string, string?> { ["Oidc:Issuer"] = null }, environment: "Production");

        var failure = Assert.Throws<StartupConfigurationException>(() => _ = unconfigured.Services);

        Assert.That(failure!.Message, Does.StartWith("Oidc:Issuer is not set"));
    }

    [Test]
    public async Task Development_WithoutIssuer_BuildsOnTheRequestsOwnUrl()
    {
        await using var development = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Oidc:Issuer"] = null }, environment: "Development");
        using var http = development.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost:5000/") });

        var discovery = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo("http://localhost:5000/"));
            Assert.That(discovery.GetProperty("jwks_uri").GetString(), Does.StartWith("http://localhost:5000/"));
        });
    }

    /// <summary>A browser whose every request names another host, directly and through a proxy header.</summary>
    private TestBrowser ForgedBrowser()
    {
        var browser = host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.Host = "evil.example";
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-Host", "evil-proxy.example");
        return browser;
    }
}
