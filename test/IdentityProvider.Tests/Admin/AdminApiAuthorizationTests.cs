using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Admin;

/// <summary>Only a live access token carrying <c>idp.admin</c> reaches the admin API.</summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class AdminApiAuthorizationTests(DatabaseKind kind) : HostFixture(kind)
{
    [TestCase("GET", "/admin/api/clients")]
    [TestCase("GET", "/admin/api/clients/demo-rp")]
    [TestCase("DELETE", "/admin/api/clients/demo-rp")]
    [TestCase("GET", "/admin/api/tenants")]
    public async Task Request_WithoutToken_Returns401(string method, string path)
    {
        using var browser = Host.CreateBrowser();

        using var response = await browser.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Does.Contain("Bearer"));
        });
    }

    [Test]
    public async Task PostClient_WithoutToken_Returns401AndRegistersNothing()
    {
        using var browser = Host.CreateBrowser();
        var clientId = "anon-" + Guid.NewGuid().ToString("N")[..12];

        using var response = await browser.Http.PostAsJsonAsync("/admin/api/clients", new { clientId });

        var exists = await ClientExistsAsync(clientId);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(exists, Is.False);
        });
    }

    [Test]
    public async Task Request_WithForgedToken_Returns401()
    {
        using var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzY29wZSI6ImlkcC5hZG1pbiIsInN1YiI6Im9wcyJ9.");

        using var response = await browser.Http.GetAsync("/admin/api/clients");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Request_WithTokenOfOtherScope_Returns403()
    {
        using var session = await AdminApiSession.StartAsync(Host, allowedScopes: ["email"], requestedScope: "email");

        using var response = await session.Http.GetAsync("/admin/api/clients");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task PostClient_WithTokenWithoutAdminScope_Returns403AndRegistersNothing()
    {
        // The client may ask for idp.admin but did not: the token it holds is not an admin token.
        using var session = await AdminApiSession.StartAsync(Host, allowedScopes: ["idp.admin"], requestedScope: null);
        var clientId = "noscope-" + Guid.NewGuid().ToString("N")[..12];

        using var response = await session.PostAsync("/admin/api/clients", new { clientId });

        var exists = await ClientExistsAsync(clientId);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(exists, Is.False);
        });
    }

    [Test]
    public async Task TokenRequest_ForAdminScopeByClientNotAllowedIt_IsRefused()
    {
        var clientId = "plain-" + Guid.NewGuid().ToString("N")[..12];
        var registered = await Host.RegisterClientAsync(new ClientRegistration { ClientId = clientId });
        using var browser = Host.CreateBrowser();

        var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = registered.Secret!, ["scope"] = "idp.admin",
        });

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), json.ToString());
            Assert.That(json.TryGetProperty("access_token", out _), Is.False);
            Assert.That(json.GetProperty("error_description").GetString(), Does.Contain("scope"), json.ToString());
        });
    }

    [Test]
    public async Task Request_WithExpiredToken_Returns401()
    {
        using var session = await AdminApiSession.StartAsync(Host);
        Host.Clock.Advance(TimeSpan.FromMinutes(61));

        using var response = await session.Http.GetAsync("/admin/api/clients");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Request_WithRevokedToken_Returns401()
    {
        using var session = await AdminApiSession.StartAsync(Host);
        using (var before = await session.Http.GetAsync("/admin/api/clients"))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var revoked = await session.Http.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = session.AccessToken, ["token_type_hint"] = "access_token", ["client_id"] = session.ClientId, ["client_secret"] = session.Secret,
        }));
        using var response = await session.Http.GetAsync("/admin/api/clients");

        Assert.Multiple(() =>
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a revoked admin token must stop working at once");
        });
    }

    [Test]
    public async Task Request_WithTokenOfRemovedClient_Returns401()
    {
        using var session = await AdminApiSession.StartAsync(Host);
        await Host.InScopeAsync(async services =>
        {
            await services.GetRequiredService<ClientRegistry>().RemoveAsync(session.ClientId);
            return true;
        });

        using var response = await session.Http.GetAsync("/admin/api/clients");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "removing a client removes its tokens");
    }

    private Task<bool> ClientExistsAsync(string clientId) =>
        Host.InScopeAsync(async services => (await services.GetRequiredService<ClientRegistry>().ListAsync()).Any(c => c.ClientId == clientId));
}
