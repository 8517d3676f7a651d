using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Authorization;

/// <summary>No secrets in URLs, one client authentication, client-credentials scopes, discovery, audiences.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ProtocolSurfaceTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task UserInfo_AccessTokenInTheQuery_IsRefused()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var accessToken = (await SignInAsync(browser, clientId, user)).GetProperty("access_token").GetString()!;

        using var response = await browser.GetAsync("/connect/userinfo?access_token=" + accessToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain(user.Email));
        using var header = await UserInfoAsync(browser.Http, accessToken);
        Assert.That(header.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the header still works");
    }

    [Test]
    public async Task Introspection_ByGetWithTheSecretInTheQuery_IsRefused()
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, secret, "idp.admin");

        using var response = await browser.GetAsync($"/connect/introspect?client_id={clientId}&client_secret={secret}&token={token}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_request").And.Not.Contain("\"active\""));
    }

    [TestCase("/connect/token")]
    [TestCase("/connect/introspect")]
    [TestCase("/connect/revoke")]
    public async Task PostEndpoints_ClientSecretInTheQuery_AreRefused(string path)
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["token"] = "x" };

        using var response = await browser.Http.PostAsync($"{path}?client_secret={secret}", new FormUrlEncodedContent(form));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_request"));
    }

    [Test]
    public async Task AdminApi_AccessTokenInTheQuery_IsUnauthorized()
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, secret, "idp.admin");

        using var response = await browser.GetAsync("/admin/api/clients?access_token=" + token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Token_BasicAsOneClientWithAnotherClientIdInTheBody_IsRefused()
    {
        var (first, firstSecret) = await ConfidentialClientAsync("idp.admin");
        var (second, _) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = second, ["scope"] = "idp.admin" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{first}:{firstSecret}")));

        using var response = await browser.Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(json.TryGetProperty("access_token", out _), Is.False);
    }

    [Test]
    public async Task Token_BasicAndASecretInTheBody_IsRefused()
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_secret"] = secret, ["scope"] = "idp.admin" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{clientId}:{secret}")));

        using var response = await browser.Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_request"));
    }

    [TestCase("openid")]
    [TestCase("offline_access")]
    [TestCase("idp.admin openid")]
    public async Task ClientCredentials_OpenIdOrOfflineAccess_IsInvalidScope_AndIssuesNothing(string scope)
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin", "openid", "offline_access");
        using var browser = Host.CreateBrowser();

        var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = scope,
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_scope"));
        Assert.That(json.TryGetProperty("id_token", out _) || json.TryGetProperty("refresh_token", out _) || json.TryGetProperty("access_token", out _), Is.False);
    }

    [Test]
    public async Task Discovery_AdvertisesOnlyWhatWorks()
    {
        using var browser = Host.CreateBrowser();

        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        var prompts = discovery.GetProperty("prompt_values_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        var methods = discovery.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(prompts, Is.EquivalentTo(new[] { "consent", "login", "none" }));
            Assert.That(methods, Does.Not.Contain("private_key_jwt").And.Not.Contain("client_secret_jwt"));
            Assert.That(methods, Does.Contain("client_secret_basic").And.Contain("client_secret_post"));
            Assert.That(discovery.TryGetProperty("token_endpoint_auth_signing_alg_values_supported", out _), Is.False);
        });
    }

    [Test]
    public async Task AccessTokens_NameTheirResourceServerInAud()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        var (adminClient, adminSecret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();

        var userToken = new JsonWebToken((await SignInAsync(browser, clientId, user)).GetProperty("access_token").GetString());
        var adminToken = new JsonWebToken(await AdminApiSession.ClientCredentialsTokenAsync(browser, adminClient, adminSecret, "idp.admin"));

        Assert.That(userToken.Audiences, Is.EquivalentTo(new[] { "dokodemo-box-api" }));
        Assert.That(adminToken.Audiences, Is.EquivalentTo(new[] { "idp-admin-api" }));
        using var userInfo = await UserInfoAsync(browser.Http, userToken.EncodedToken);
        Assert.That(userInfo.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
