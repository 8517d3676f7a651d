using System.Net;
using IdentityProvider.Data;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Tests.Authorization;

/// <summary>
/// Client-credentials access tokens are self-contained: issuing one writes no token entry; revoking
/// one puts its jti on a deny list that every node reads. Codes, refresh tokens and the access
/// tokens of user grants keep their entries.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class StatelessClientCredentialsTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task ClientCredentials_WritesNoTokenEntry()
    {
        using var session = await AdminApiSession.StartAsync(Host);

        var entries = await TokenEntriesAsync(Host, session.ClientId);
        using var admin = await session.Http.GetAsync("/admin/api/clients");

        Assert.Multiple(() =>
        {
            Assert.That(entries, Is.Empty);
            Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK), "validated by signature and lifetime");
        });
    }

    [Test]
    public async Task CodeFlow_StillRecordsCodeAccessAndRefreshTokens()
    {
        var (clientId, secret) = await ConfidentialClientAsync();
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        await SignInAsync(browser, clientId, user, secret);

        Assert.That(await TokenEntriesAsync(Host, clientId), Is.SupersetOf(new[] { "authorization_code", "access_token", "refresh_token" }));
    }

    [Test]
    public async Task StoreClientCredentialsAccessTokens_On_WritesTheEntry()
    {
        await using var host = await IdpTestHost.StartAsync(Kind, new Dictionary<string, string?> { ["Oidc:StoreClientCredentialsAccessTokens"] = "true" });
        using var session = await AdminApiSession.StartAsync(host);

        Assert.That(await TokenEntriesAsync(host, session.ClientId), Is.EqualTo(new[] { "access_token" }));
    }

    [Test]
    public async Task Revoked_AtOneNode_IsRefusedAtAnother()
    {
        await using var nodeB = IdpTestHost.StartNode(Host.Database);
        using var session = await AdminApiSession.StartAsync(Host);
        using var atB = nodeB.CreateClient();
        atB.DefaultRequestHeaders.Authorization = session.Http.DefaultRequestHeaders.Authorization;
        using (var before = await atB.GetAsync("/admin/api/clients"))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var revoked = await RevokeAsync(session);
        using var after = await atB.GetAsync("/admin/api/clients");

        Assert.Multiple(() =>
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Revoke_Twice_IsOk_AndExpiredDenyListRowsArePruned()
    {
        await using var host = await IdpTestHost.StartAsync(Kind);
        using var first = await AdminApiSession.StartAsync(host);
        using var again = await RevokeAsync(first);
        using var once = await RevokeAsync(first);
        var rowsBefore = await DenyListAsync(host);

        host.Clock.Advance(TimeSpan.FromMinutes(61));
        using var second = await AdminApiSession.StartAsync(host);
        using var revokedSecond = await RevokeAsync(second);

        Assert.Multiple(async () =>
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(once.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rowsBefore, Has.Count.EqualTo(1));
            Assert.That(await DenyListAsync(host), Is.EqualTo(new[] { second.ClientId }), "the first token expired: its row is gone");
        });
    }

    private static Task<HttpResponseMessage> RevokeAsync(AdminApiSession session) =>
        session.Http.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = session.AccessToken, ["client_id"] = session.ClientId, ["client_secret"] = session.Secret,
        }));

    /// <summary>The types of the client's token entries, short names (OpenIddict stores URNs).</summary>
    private static async Task<List<string>> TokenEntriesAsync(IdpTestHost host, string clientId)
    {
        var types = await host.InScopeAsync(services =>
            services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Where(t => t.Application!.ClientId == clientId).Select(t => t.Type!).ToListAsync());
        return types.Select(t => t[(t.LastIndexOf(':') + 1)..]).Distinct().Order().ToList();
    }

    private static Task<List<string>> DenyListAsync(IdpTestHost host) => host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().RevokedAccessTokens.AsNoTracking().Select(r => r.ClientId!).ToListAsync());
}
