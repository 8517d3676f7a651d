using System.Net;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Admin;

/// <summary>
/// "A confidential client may introspect and revoke its own tokens without extra set-up"
/// (RFC 7662, RFC 7009): a client registered with the defaults can do both, others cannot.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class TokenIntrospectionTests(DatabaseKind kind) : HostFixture(kind)
{
    private const string RedirectUri = "https://rp.example/cb";
    [Test]
    public async Task Introspect_OwnClientCredentialsToken_IsActive()
    {
        var (clientId, secret) = await RegisterConfidentialAsync();
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, secret, scope: "email");

        var json = await IntrospectAsync(browser, clientId, secret, token);

        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("active").GetBoolean(), Is.True, json.ToString());
            Assert.That(json.GetProperty("client_id").GetString(), Is.EqualTo(clientId));
            Assert.That(json.GetProperty("sub").GetString(), Is.EqualTo(clientId));
            Assert.That(json.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        });
    }

    [Test]
    public async Task Revoke_OwnAccessToken_IntrospectionThenSaysInactive()
    {
        var (clientId, secret) = await RegisterConfidentialAsync();
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, secret, scope: null);

        using var revoked = await PostAsync(browser, "/connect/revoke", clientId, secret, token);
        var json = await IntrospectAsync(browser, clientId, secret, token);

        Assert.Multiple(() =>
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(json.GetProperty("active").GetBoolean(), Is.False, json.ToString());
            Assert.That(json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "active" }), "an inactive token discloses nothing (RFC 7662 §2.2)");
        });
    }

    [Test]
    public async Task Introspect_AnotherClientsToken_SaysInactive()
    {
        var (owner, ownerSecret) = await RegisterConfidentialAsync();
        var (other, otherSecret) = await RegisterConfidentialAsync();
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, owner, ownerSecret, scope: null);

        var json = await IntrospectAsync(browser, other, otherSecret, token);

        Assert.That(json.GetProperty("active").GetBoolean(), Is.False, json.ToString());
    }

    [Test]
    public async Task Revoke_AnotherClientsToken_LeavesItActive()
    {
        var (owner, ownerSecret) = await RegisterConfidentialAsync();
        var (other, otherSecret) = await RegisterConfidentialAsync();
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, owner, ownerSecret, scope: null);

        using var revoked = await PostAsync(browser, "/connect/revoke", other, otherSecret, token);
        var json = await IntrospectAsync(browser, owner, ownerSecret, token);

        Assert.Multiple(() =>
        {
            Assert.That(revoked.StatusCode, Is.Not.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(json.GetProperty("active").GetBoolean(), Is.True, "another client cannot revoke it");
        });
    }

    [Test]
    public async Task Introspect_WithWrongSecret_IsRefused()
    {
        var (clientId, secret) = await RegisterConfidentialAsync();
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, secret, scope: null);

        using var response = await PostAsync(browser, "/connect/introspect", clientId, "wrong-" + secret, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized).Or.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Introspect_ByPublicClient_IsRefused()
    {
        var (clientId, secret) = await RegisterConfidentialAsync();
        var publicId = "spa-" + Guid.NewGuid().ToString("N")[..12];
        await Host.RegisterClientAsync(new ClientRegistration { ClientId = publicId, Public = true, RedirectUris = ["http://127.0.0.1:7000/cb"] });
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, secret, scope: null);

        using var response = await browser.Http.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = publicId,
        }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest).Or.EqualTo(HttpStatusCode.Unauthorized), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task IntrospectAndRevoke_UserTokensOfOwnSignIn_WorkWithoutExtraSetUp()
    {
        var (clientId, secret) = await RegisterConfidentialAsync();
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user);
        var (status, tokens) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = TestBrowser.Query(callback)["code"], ["redirect_uri"] = RedirectUri,
            ["client_id"] = clientId, ["client_secret"] = secret, ["code_verifier"] = pkce.Verifier,
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), tokens.ToString());
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        var access = await IntrospectAsync(browser, clientId, secret, tokens.GetProperty("access_token").GetString()!);
        using var revoked = await PostAsync(browser, "/connect/revoke", clientId, secret, refreshToken);
        var refresh = await IntrospectAsync(browser, clientId, secret, refreshToken);
        var (refreshStatus, refreshed) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = clientId, ["client_secret"] = secret,
        });

        Assert.Multiple(() =>
        {
            Assert.That(access.GetProperty("active").GetBoolean(), Is.True, access.ToString());
            Assert.That(access.GetProperty("client_id").GetString(), Is.EqualTo(clientId));
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(refresh.GetProperty("active").GetBoolean(), Is.False, refresh.ToString());
            Assert.That(refreshStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refreshed.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        });
    }

    private async Task<(string ClientId, string Secret)> RegisterConfidentialAsync()
    {
        var clientId = "rp-" + Guid.NewGuid().ToString("N")[..12];
        // The defaults: what an operator gets from 'clients add --client-id X --redirect-uri Y'.
        var registered = await Host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, RedirectUris = [RedirectUri] });
        return (clientId, registered.Secret!);
    }

    private static async Task<JsonElement> IntrospectAsync(TestBrowser browser, string clientId, string secret, string token)
    {
        using var response = await PostAsync(browser, "/connect/introspect", clientId, secret, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static Task<HttpResponseMessage> PostAsync(TestBrowser browser, string path, string clientId, string secret, string token) =>
        browser.Http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = clientId, ["client_secret"] = secret,
        }));
}
