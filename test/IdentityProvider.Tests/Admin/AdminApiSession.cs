using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Admin;

/// <summary>
/// An operator's automation: a confidential client of its own, an access token from the
/// client-credentials grant, and an HTTP client that sends it as a bearer token.
/// </summary>
public sealed class AdminApiSession : IDisposable
{
    private readonly TestBrowser browser;

    private AdminApiSession(TestBrowser browser, string clientId, string secret, string accessToken)
    {
        this.browser = browser;
        ClientId = clientId;
        Secret = secret;
        AccessToken = accessToken;
        browser.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
    }

    public string ClientId { get; }

    public string Secret { get; }

    public string AccessToken { get; }

    public HttpClient Http => browser.Http;

    /// <summary>Registers a confidential client allowed <paramref name="allowedScopes"/> and asks for <paramref name="requestedScope"/>.</summary>
    public static async Task<AdminApiSession> StartAsync(IdpTestHost host, string[]? allowedScopes = null, string? requestedScope = "idp.admin")
    {
        var clientId = "ops-" + Guid.NewGuid().ToString("N")[..12];
        var registered = await host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Scopes = allowedScopes ?? ["idp.admin"] });
        var browser = host.CreateBrowser();
        var token = await ClientCredentialsTokenAsync(browser, clientId, registered.Secret!, requestedScope);
        return new AdminApiSession(browser, clientId, registered.Secret!, token);
    }

    public static async Task<string> ClientCredentialsTokenAsync(TestBrowser browser, string clientId, string secret, string? scope)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        var (status, json) = await browser.TokenAsync(form);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        return json.GetProperty("access_token").GetString()!;
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body) => Http.PostAsJsonAsync(path, body, JsonSerializerOptions.Web);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public void Dispose() => browser.Dispose();
}
