using System.Net.Http.Json;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// A tiny relying party on its own loopback port: the browser is redirected to its callback page
/// for real (a different origin than the IdP, as in production), and the test then plays the RP's
/// back channel over HTTP (code redemption at the token endpoint).
/// </summary>
public sealed class RelyingParty : IAsyncDisposable
{
    public const string CallbackPath = "/callback";

    /// <summary>The id of the element on the callback page, proof that the RP (not the IdP) answered.</summary>
    public const string CallbackMarkerId = "rp-callback";

    private const string CallbackPage = $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Relying party</title></head>
        <body><p id="{CallbackMarkerId}">Callback received by the relying party.</p></body></html>
        """;

    private readonly WebApplication app;
    private readonly IdpTestHost idp;
    private readonly HttpClient backChannel;

    private RelyingParty(WebApplication app, IdpTestHost idp, Uri baseAddress)
    {
        this.app = app;
        this.idp = idp;
        CallbackUri = new Uri(baseAddress, CallbackPath);
        backChannel = new HttpClient { BaseAddress = idp.BaseAddress };
    }

    /// <summary>Where the IdP sends the browser back: http://127.0.0.1:port/callback.</summary>
    public Uri CallbackUri { get; }

    public static async Task<RelyingParty> StartAsync(IdpTestHost idp)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Port 0: the OS picks a free port, so parallel runs on one machine never collide.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet(CallbackPath, () => Results.Content(CallbackPage, "text/html; charset=utf-8"));
        await app.StartAsync();
        return new RelyingParty(app, idp, new Uri(app.Urls.Single()));
    }

    /// <summary>Registers a new public client (PKCE required) whose redirect URI is this RP's callback.</summary>
    public async Task<string> RegisterClientAsync()
    {
        var clientId = "browser-rp-" + Guid.NewGuid().ToString("N")[..12];
        await idp.RegisterClientAsync(new ClientRegistration
        {
            ClientId = clientId,
            Public = true,
            RedirectUris = [CallbackUri.ToString()],
        });
        return clientId;
    }

    /// <summary>A fresh authorization request (code, PKCE S256, its own state and nonce).</summary>
    public SignInRequest CreateSignInRequest(string clientId)
    {
        var pkce = Pkce.Create();
        var state = Guid.NewGuid().ToString("N");
        var nonce = Guid.NewGuid().ToString("N");
        var path = TestBrowser.AuthorizeUrl(clientId, CallbackUri.ToString(), pkce, state: state, nonce: nonce);
        return new SignInRequest(clientId, new Uri(idp.BaseAddress, path), state, nonce, pkce);
    }

    /// <summary>The RP's back channel: redeems <paramref name="code"/> with the request's PKCE verifier.</summary>
    public async Task<TokenResponse> RedeemCodeAsync(SignInRequest request, string code)
    {
        using var response = await backChannel.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = CallbackUri.ToString(),
            ["client_id"] = request.ClientId,
            ["code_verifier"] = request.Pkce.Verifier,
        }));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TokenResponse(response.StatusCode, json);
    }

    /// <summary>What an RP must do before trusting an id_token: signature (JWKS), issuer, audience, lifetime, nonce.</summary>
    public async Task<JsonWebToken> ValidateIdTokenAsync(SignInRequest request, string idToken)
    {
        var discovery = await backChannel.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        var jwks = new JsonWebKeySet(await backChannel.GetStringAsync(discovery.GetProperty("jwks_uri").GetString()));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = discovery.GetProperty("issuer").GetString(),
            ValidAudience = request.ClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        });
        Assert.That(result.IsValid, Is.True, () => result.Exception?.ToString() ?? "invalid id_token");
        var token = (JsonWebToken)result.SecurityToken;
        Assert.That(token.GetClaim("nonce").Value, Is.EqualTo(request.Nonce), "the id_token carries the RP's nonce");
        return token;
    }

    public async ValueTask DisposeAsync()
    {
        backChannel.Dispose();
        await app.DisposeAsync();
    }
}
