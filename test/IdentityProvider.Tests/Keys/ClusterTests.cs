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
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ClusterTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task SecondNode_PublishesTheSameKeys_AcceptsTheFirstNodesSessionAndTokens()
    {
        await using var nodeA = await IdpTestHost.StartAsync(Kind);
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
    public async Task KeyRotation_PublishesTheNewKeyAtOnce_SignsWithItFromActivation_WithoutRestartingNodes()
    {
        await using var nodeA = await IdpTestHost.StartAsync(Kind);
        await using var nodeB = IdpTestHost.StartNode(nodeA.Database);
        var user = await nodeA.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..8];
        await nodeA.RegisterClientAsync(new IdentityProvider.Clients.ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var httpA = nodeA.CreateClient();
        using var httpB = nodeB.CreateClient();
        var before = Kids(await httpA.GetStringAsync("/.well-known/jwks"));
        Assert.That(Kids(await httpB.GetStringAsync("/.well-known/jwks")), Is.EqualTo(before));

        var rotated = await nodeA.InScopeAsync(services => services.GetRequiredService<ServerKeyStore>().RotateAsync(ServerKeyUse.Signing, TimeSpan.FromHours(1)));
        var newKid = rotated[0].Id.ToString("N");
        // What each node's refresher does every five minutes (the timer may also have fired meanwhile).
        foreach (var node in new[] { nodeA, nodeB })
        {
            node.Services.GetRequiredService<ServerKeyRefresher>().Refresh();
        }

        // Published at once on every node, not yet signing.
        Assert.That(Kids(await httpA.GetStringAsync("/.well-known/jwks")), Is.SupersetOf(before).And.Contains(newKid));
        Assert.That(Kids(await httpB.GetStringAsync("/.well-known/jwks")), Is.SupersetOf(before).And.Contains(newKid));
        using (var browser = nodeB.CreateBrowser())
        {
            var kid = new JsonWebToken((await SignInAsync(browser, clientId, user)).GetProperty("id_token").GetString()).Kid;
            Assert.That(before, Does.Contain(kid), "the old key signs until the new one activates");
        }

        // After the activation time both nodes sign with the new key; the old one stays published.
        foreach (var node in new[] { nodeA, nodeB })
        {
            node.Clock.Advance(TimeSpan.FromMinutes(61));
            node.Services.GetRequiredService<ServerKeyRefresher>().Refresh();
        }

        using var browserB = nodeB.CreateBrowser();
        var tokens = await SignInAsync(browserB, clientId, user);
        Assert.That(new JsonWebToken(tokens.GetProperty("id_token").GetString()).Kid, Is.EqualTo(newKid));
        Assert.That(Kids(await httpA.GetStringAsync("/.well-known/jwks")), Is.SupersetOf(before).And.Contains(newKid));
        using var userInfoAtA = await UserInfoAsync(httpA, tokens.GetProperty("access_token").GetString()!);
        Assert.That(userInfoAtA.StatusCode, Is.EqualTo(HttpStatusCode.OK), "node A accepts what node B signed with the new key");
    }

    private static List<string> Kids(string jwks) =>
        JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
}
