using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Authorization;

/// <summary>
/// One server per database kind for a fixture; each test registers its own client and user, so
/// tests never see each other's state.
/// </summary>
public abstract class OidcFlowFixture(DatabaseKind kind) : HostFixture(kind)
{
    protected const string RedirectUri = "http://127.0.0.1:7000/cb";
    protected const string PostLogoutRedirectUri = "http://127.0.0.1:7000/signed-out";

    protected async Task<string> PublicClientAsync(string? idTokenAlgorithm = null)
    {
        var id = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = id,
            Public = true,
            RedirectUris = [RedirectUri],
            PostLogoutRedirectUris = [PostLogoutRedirectUri],
            IdTokenSignedResponseAlg = idTokenAlgorithm,
        });
        return id;
    }

    protected async Task<(string Id, string Secret)> ConfidentialClientAsync(params string[] scopes)
    {
        var id = "web-" + Guid.NewGuid().ToString("N")[..10];
        var registered = await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = id,
            RedirectUris = [RedirectUri],
            PostLogoutRedirectUris = [PostLogoutRedirectUri],
            Scopes = scopes,
        });
        return (id, registered.Secret!);
    }

    /// <summary>Where an authorization request without a session sends the browser: the login page, with its return URL.</summary>
    protected static async Task<Uri> LoginPageAsync(TestBrowser browser, string clientId)
    {
        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        return TestBrowser.Location(response);
    }

    /// <summary>Authorize (logging in), then redeem the code; returns the token response.</summary>
    protected async Task<JsonElement> SignInAsync(TestBrowser browser, string clientId, TestUser user, string? secret = null, string? nonce = null)
    {
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce, nonce: nonce), user);
        var code = TestBrowser.Query(callback)["code"];
        var (status, json) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce, secret));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        return json;
    }

    protected static Dictionary<string, string> Refresh(string clientId, string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = clientId,
        ["refresh_token"] = refreshToken,
    };

    protected static Dictionary<string, string> CodeRedemption(string clientId, string code, Pkce? pkce, string? secret = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
        };
        if (pkce is not null)
        {
            form["code_verifier"] = pkce.Verifier;
        }

        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        return form;
    }

    /// <summary>Validates a JWT against the server's published JWKS and issuer.</summary>
    protected async Task<JsonWebToken> ValidateAsync(HttpClient http, string jwt, string audience)
    {
        var discovery = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        var jwks = new JsonWebKeySet(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString()));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = discovery.GetProperty("issuer").GetString(),
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        });
        Assert.That(result.IsValid, Is.True, () => result.Exception?.ToString() ?? "invalid token");
        return (JsonWebToken)result.SecurityToken!;
    }

    protected static async Task<HttpResponseMessage> UserInfoAsync(HttpClient http, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request);
    }
}
