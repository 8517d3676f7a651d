using System.Net;
using System.Text.Json;
using IdentityProvider.Data;
using IdentityProvider.Keys;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Keys;

/// <summary>
/// Several nodes on one database (SPEC §12): the same signing keys, the same data-protection keys,
/// no sticky sessions. Each node is a separate server instance with its own memory.
/// </summary>
/// <remarks>Each test builds its own cluster on its own database: rotation changes what every node sees.</remarks>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
public sealed class ClusterTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    private readonly DatabaseKind kind = kind;

    [Test]
    public async Task SecondNode_PublishesTheSameKeys_AcceptsTheFirstNodesSessionAndTokens()
    {
        await using var nodeA = await IdpTestHost.StartAsync(kind);
        var user = await nodeA.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..8];
        await nodeA.RegisterClientAsync(new IdentityProvider.Clients.ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var browserA = nodeA.CreateBrowser();
        var tokens = await SignInAsync(browserA, clientId, user);

        await using var nodeB = IdpTestHost.StartNode(nodeA.Database);
        using var plainB = nodeB.CreateClient();
        using var plainA = nodeA.CreateClient();
        Assert.That(await plainB.GetStringAsync("/.well-known/jwks"), Is.EqualTo(await plainA.GetStringAsync("/.well-known/jwks")));

        // An access token signed by node A is accepted by node B.
        using var userInfo = await UserInfoAsync(plainB, tokens.GetProperty("access_token").GetString()!);
        Assert.That(userInfo.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Node A's refresh token (encrypted with the shared key) is redeemed at node B.
        using var browserB = nodeB.CreateBrowser();
        var (status, refreshed) = await browserB.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = clientId,
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());

        // Node A's session cookie (data-protection keys in the database) is valid at node B.
        using var sameBrowserAtB = new TestBrowser(nodeB, browserA.Cookies);
        using var authorized = await sameBrowserAtB.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        Assert.That(TestBrowser.Location(authorized).GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
    }

    [Test]
    public async Task KeyRotation_NewKeySigns_OldKeyStaysPublishedForValidation()
    {
        await using var node = await IdpTestHost.StartAsync(kind);
        using var http = node.CreateClient();
        var before = Kids(await http.GetStringAsync("/.well-known/jwks"));

        await node.InScopeAsync(services => services.GetRequiredService<ServerKeyStore>().RotateAsync(ServerKeyUse.Signing));
        await using var restarted = IdpTestHost.StartNode(node.Database);

        using var restartedHttp = restarted.CreateClient();
        var after = Kids(await restartedHttp.GetStringAsync("/.well-known/jwks"));
        Assert.That(after, Is.SupersetOf(before), "retired keys stay published");
        Assert.That(after, Has.Count.EqualTo(before.Count + 1));

        var user = await restarted.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..8];
        await restarted.RegisterClientAsync(new IdentityProvider.Clients.ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var browser = restarted.CreateBrowser();
        var tokens = await SignInAsync(browser, clientId, user);
        var kid = new JsonWebToken(tokens.GetProperty("id_token").GetString()).Kid;
        Assert.That(before, Does.Not.Contain(kid), "the new key signs");
    }

    private static List<string> Kids(string jwks) =>
        JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
}
