using System.Net;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Keys;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;

namespace IdentityProvider.Tests.Keys;

/// <summary>
/// Access tokens are signed ES256, ID tokens RS256 (what every relying party accepts); the JWKS
/// publishes both keys. Codes and refresh tokens, which only we read, are signed HS256 with a key
/// derived from their encryption key and never published. A deployment that had only an RSA key publishes the new ECDSA key first
/// and signs with it only after the activation delay.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AccessTokenSigningTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task CodeFlow_AccessTokenIsEs256_IdTokenIsRs256_BothValidateAgainstJwks()
    {
        var clientId = await PublicClientAsync();
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        var tokens = await SignInAsync(browser, clientId, user);
        var access = new JsonWebToken(tokens.GetProperty("access_token").GetString());
        var id = await ValidateAsync(browser.Http, tokens.GetProperty("id_token").GetString()!, clientId);
        using var userInfo = await UserInfoAsync(browser.Http, access.EncodedToken);

        Assert.Multiple(() =>
        {
            Assert.That(access.Alg, Is.EqualTo("ES256"));
            Assert.That(id.Alg, Is.EqualTo("RS256"));
            Assert.That(userInfo.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the server validates its own ES256 access token");
        });
    }

    [Test]
    public async Task CodeAndRefreshToken_AreSignedHs256InsideTheirEncryption_WithAKeyTheServerNeverPublishes()
    {
        var clientId = await PublicClientAsync();
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var code = TestBrowser.Query(await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user))["code"];
        // Codes are reference tokens: the client holds an identifier, the database the encrypted token.
        var codeInner = Decrypt(await Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>()
            .Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Type == OpenIddictConstants.TokenTypeIdentifiers.Private.AuthorizationCode && t.Application!.ClientId == clientId)
            .Select(t => t.Payload!).SingleAsync()));

        var (_, tokens) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce));
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var inner = Decrypt(refreshToken);
        var (status, refreshed) = await browser.TokenAsync(Refresh(clientId, refreshToken));
        var jwks = await browser.Http.GetStringAsync("/.well-known/jwks");
        var keys = JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().ToList();
        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That((codeInner.Alg, inner.Alg), Is.EqualTo(("HS256", "HS256")), "only this server reads its codes and refresh tokens");
            Assert.That(inner.Kid, Is.EqualTo(codeInner.Kid));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());
            Assert.That(Decrypt(refreshed.GetProperty("refresh_token").GetString()!).Alg, Is.EqualTo("HS256"));
            Assert.That(new JsonWebToken(refreshed.GetProperty("access_token").GetString()).Alg, Is.EqualTo("ES256"));
            Assert.That(new JsonWebToken(refreshed.GetProperty("id_token").GetString()).Alg, Is.EqualTo("RS256"));
            Assert.That(keys.Select(k => k.GetProperty("kty").GetString()), Is.All.AnyOf("RSA", "EC"), "no symmetric key in the JWKS");
            Assert.That(jwks, Does.Not.Contain(inner.Kid).And.Not.Contain("\"k\""));
            Assert.That(discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()),
                Has.None.StartsWith("HS"));
        });
    }

    [Test]
    public async Task EachTokensKey_DoesNotDependOnTheOrderOfOpenIddictsCredentials()
    {
        await using var host = await IdpTestHost.StartAsync(Kind);
        var (clientId, user) = await PublicClientAndUserAsync(host);
        // OpenIddict picks the first credential that fits (its sort is not stable for three keys): put ES256 first.
        var credentials = host.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue.SigningCredentials;
        var ecdsa = credentials.Single(c => c.Algorithm == "ES256");
        credentials.Remove(ecdsa);
        credentials.Insert(0, ecdsa);
        using var browser = host.CreateBrowser();

        var tokens = await SignInAsync(browser, clientId, user);

        Assert.Multiple(() =>
        {
            Assert.That(new JsonWebToken(tokens.GetProperty("id_token").GetString()).Alg, Is.EqualTo("RS256"));
            Assert.That(new JsonWebToken(tokens.GetProperty("access_token").GetString()).Alg, Is.EqualTo("ES256"));
            Assert.That(Decrypt(tokens.GetProperty("refresh_token").GetString()!, host).Alg, Is.EqualTo("HS256"));
        });
    }

    [Test]
    public async Task RefreshTokenSignedEs256_AsBeforeHs256_StillRedeems()
    {
        var clientId = await PublicClientAsync();
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var keys = Host.Services.GetRequiredService<SigningKeys>();
        var (idTokens, accessTokens, es256, privateTokens) = (keys.IdTokens, keys.AccessTokens, keys.Es256, keys.PrivateTokens);
        JsonElement tokens;
        keys.Set(idTokens, accessTokens, es256, privateTokens: es256); // what the builds before HS256 did
        try
        {
            tokens = await SignInAsync(browser, clientId, user);
        }
        finally
        {
            keys.Set(idTokens, accessTokens, es256, privateTokens);
        }

        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var (status, refreshed) = await browser.TokenAsync(Refresh(clientId, refreshToken));

        Assert.Multiple(() =>
        {
            Assert.That(Decrypt(refreshToken).Alg, Is.EqualTo("ES256"));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());
            Assert.That(Decrypt(refreshed.GetProperty("refresh_token").GetString()!).Alg, Is.EqualTo("HS256"));
        });
    }

    [Test]
    public async Task RotateEncryption_NewCodesAndRefreshTokensUseTheNewKeys_OldRefreshTokensStillRedeem()
    {
        await using var host = await IdpTestHost.StartAsync(Kind);
        var (clientId, user) = await PublicClientAndUserAsync(host);
        using var browser = host.CreateBrowser();
        var before = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;
        var oldKid = Decrypt(before, host).Kid;

        var rotated = await host.InScopeAsync(services => services.GetRequiredService<ServerKeyStore>().RotateAsync(ServerKeyUse.Encryption, TimeSpan.FromHours(1)));
        host.Clock.Advance(TimeSpan.FromMinutes(61));
        host.Services.GetRequiredService<ServerKeyRefresher>().Refresh();
        var (status, refreshed) = await browser.TokenAsync(Refresh(clientId, before));
        var after = Decrypt(refreshed.GetProperty("refresh_token").GetString()!, host);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "a refresh token of the retired key: decrypted and verified with it " + refreshed);
            Assert.That(after.Kid, Is.EqualTo(rotated[0].Id.ToString("N") + "-hs256"), "signed with the new encryption key's HMAC key");
            Assert.That(after.Kid, Is.Not.EqualTo(oldKid));
        });
    }

    /// <summary>A public client and a user on a host of the test's own (one whose keys the test changes).</summary>
    private static async Task<(string ClientId, TestUser User)> PublicClientAndUserAsync(IdpTestHost host)
    {
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        return (clientId, await host.CreateUserAsync());
    }

    /// <summary>The signed token inside an encrypted one, decrypted with the server's keys.</summary>
    private JsonWebToken Decrypt(string token, IdpTestHost? host = null)
    {
        var server = (host ?? Host).Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        return new JsonWebToken(new JsonWebTokenHandler().DecryptToken(new JsonWebToken(token),
            new TokenValidationParameters { TokenDecryptionKeys = server.EncryptionCredentials.Select(c => c.Key) }));
    }

    [Test]
    public async Task ClientRegisteredForEs256IdTokens_GetsThemOnCodeAndRefresh_ValidAgainstJwks_AndAsLogoutHint()
    {
        var clientId = await PublicClientAsync(idTokenAlgorithm: "ES256");
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        var tokens = await SignInAsync(browser, clientId, user);
        var id = await ValidateAsync(browser.Http, tokens.GetProperty("id_token").GetString()!, clientId);
        var (status, refreshed) = await browser.TokenAsync(Refresh(clientId, tokens.GetProperty("refresh_token").GetString()!));
        var refreshedId = await ValidateAsync(browser.Http, refreshed.GetProperty("id_token").GetString()!, clientId);
        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        using var logout = await browser.GetAsync(
            $"/connect/endsession?id_token_hint={refreshedId.EncodedToken}&post_logout_redirect_uri={Uri.EscapeDataString(PostLogoutRedirectUri)}");

        Assert.Multiple(() =>
        {
            Assert.That(id.Alg, Is.EqualTo("ES256"));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());
            Assert.That(refreshedId.Alg, Is.EqualTo("ES256"));
            Assert.That(discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()),
                Is.SupersetOf(new[] { "RS256", "ES256" }));
            Assert.That(TestBrowser.Location(logout).GetLeftPart(UriPartial.Path), Is.EqualTo(PostLogoutRedirectUri), "an ES256 ID token is a valid logout hint");
        });
    }

    [Test]
    public async Task ClientCredentials_AccessTokenIsEs256_AndPublishedInJwks()
    {
        using var session = await AdminApiSession.StartAsync(Host);

        var token = new JsonWebToken(session.AccessToken);
        var jwks = JsonDocument.Parse(await session.Http.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys").EnumerateArray().ToList();
        using var admin = await session.Http.GetAsync("/admin/api/clients");

        Assert.Multiple(() =>
        {
            Assert.That(token.Alg, Is.EqualTo("ES256"));
            Assert.That(jwks.Select(k => k.GetProperty("kty").GetString()), Is.SupersetOf(new[] { "RSA", "EC" }));
            Assert.That(jwks.Single(k => k.GetProperty("kid").GetString() == token.Kid).GetProperty("crv").GetString(), Is.EqualTo("P-256"));
            Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task AccessTokenSigningAlgorithmRs256_SignsAccessTokensRs256()
    {
        await using var host = await IdpTestHost.StartAsync(Kind, new Dictionary<string, string?> { ["Oidc:AccessTokenSigningAlgorithm"] = "RS256" });
        using var session = await AdminApiSession.StartAsync(host);

        Assert.That(new JsonWebToken(session.AccessToken).Alg, Is.EqualTo("RS256"));
    }

    [Test]
    public async Task ExistingRsaOnlyDeployment_PublishesEcdsaKeyFirst_SignsWithItAfterActivation()
    {
        await using var database = await TestDatabase.CreateAsync(Kind);
        // A deployment from before ES256: migrated, with its RSA and AES keys only.
        await using (var before = IdpTestHost.StartNode(database))
        {
            await before.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().ServerKeys
                .Where(k => k.Algorithm == "ES256").ExecuteDeleteAsync());
        }

        await using var host = IdpTestHost.StartNode(database);
        using var first = await AdminApiSession.StartAsync(host);
        var ecKid = JsonDocument.Parse(await first.Http.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys")
            .EnumerateArray().Single(k => k.GetProperty("kty").GetString() == "EC").GetProperty("kid").GetString();
        // A client registered for ES256 ID tokens refuses RS256 ones: it gets the published key at once.
        var es256Client = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = es256Client, Public = true, RedirectUris = [RedirectUri], IdTokenSignedResponseAlg = "ES256",
        });
        using var browser = host.CreateBrowser();
        var idToken = new JsonWebToken((await SignInAsync(browser, es256Client, await host.CreateUserAsync())).GetProperty("id_token").GetString());

        host.Clock.Advance(ServerKeyStore.DefaultActivationDelay + TimeSpan.FromMinutes(1));
        host.Services.GetRequiredService<ServerKeyRefresher>().Refresh();
        using var later = await AdminApiSession.StartAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(new JsonWebToken(first.AccessToken).Alg, Is.EqualTo("RS256"), "published, not yet used");
            Assert.That((idToken.Alg, idToken.Kid), Is.EqualTo(("ES256", ecKid)), "the client asked for ES256");
            Assert.That(new JsonWebToken(later.AccessToken).Alg, Is.EqualTo("ES256"));
            Assert.That(new JsonWebToken(later.AccessToken).Kid, Is.EqualTo(ecKid));
        });
    }

    [Test]
    public async Task RotateSigning_RotatesBothAlgorithms()
    {
        await using var host = await IdpTestHost.StartAsync(Kind);

        var rotated = await host.InScopeAsync(services => services.GetRequiredService<ServerKeyStore>().RotateAsync(ServerKeyUse.Signing, TimeSpan.FromHours(1)));
        host.Clock.Advance(TimeSpan.FromMinutes(61));
        host.Services.GetRequiredService<ServerKeyRefresher>().Refresh();
        using var session = await AdminApiSession.StartAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(rotated.Select(k => k.Algorithm), Is.EqualTo(new[] { "RS256", "ES256" }));
            Assert.That(new JsonWebToken(session.AccessToken).Kid, Is.EqualTo(rotated[1].Id.ToString("N")));
        });
    }
}
