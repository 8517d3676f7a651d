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
using OpenIddict.Server;

namespace IdentityProvider.Tests.Keys;

/// <summary>
/// Access tokens (and codes and refresh tokens, which only we read) are signed ES256, ID tokens RS256 (what every relying party accepts); the JWKS
/// publishes both keys. A deployment that had only an RSA key publishes the new ECDSA key first
/// and signs with it only after the activation delay.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
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
    public async Task CodeFlow_RefreshTokenIsSignedEs256InsideItsEncryption_AndRefreshes()
    {
        var clientId = await PublicClientAsync();
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        var tokens = await SignInAsync(browser, clientId, user);
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var server = Host.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        var inner = new JsonWebToken(new JsonWebTokenHandler().DecryptToken(new JsonWebToken(refreshToken),
            new TokenValidationParameters { TokenDecryptionKeys = server.EncryptionCredentials.Select(c => c.Key) }));
        var (status, refreshed) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = clientId,
        });

        Assert.Multiple(() =>
        {
            Assert.That(inner.Alg, Is.EqualTo("ES256"), "only this server reads its refresh tokens: no RSA signature for them");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());
            Assert.That(new JsonWebToken(refreshed.GetProperty("id_token").GetString()).Alg, Is.EqualTo("RS256"));
        });
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
